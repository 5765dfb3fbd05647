"""gunicorn settings for `make serve` (and the benchmarks, which start the same command).

    gunicorn -c gunicorn.conf.py app:server --workers 4 --bind 127.0.0.1:8050

Command-line flags override what is set here. Why each value (figures in the
README, "Serving a classroom"; scripts in benchmarks/):

* gthread workers, 64 threads each, and at most 64 connections a worker: a
  connection that sends nothing (a browser's unused preconnect) or sends its
  headers a byte a second (slowloris) holds one thread, never a whole worker,
  and a worker whose threads are all taken stops accepting, so the kernel hands
  new connections to the other workers. With 4 sync workers, 4 such
  connections stopped the server; with this, 64 leave everyone else answered
  within 1 s (benchmarks/slow_clients.py). 64 rather than 32 threads because
  rooms park long polls on threads (at most ``OPTISCAPE_ROOM_MAX_WAITERS``,
  32 by default, per worker): the other 32 stay free for pages and callbacks.
  A gthread worker is not stopped by ``timeout`` while a thread computes: the
  engine's own work budgets (and its ``deadline``) bound each request instead.
* ``max_requests``: a worker's memory is flat after warm-up (its caches are
  bounded), so recycling is only insurance against a leak; measured by
  benchmarks/worker_memory.py. Jitter keeps the workers from recycling at once.
* ``control_socket_disable``: gunicorn 27 would otherwise write a control
  socket under ~/.gunicorn/.
"""
worker_class = "gthread"
threads = 64
worker_connections = 64
timeout = 30
max_requests = 50000
max_requests_jitter = 5000
control_socket_disable = True
