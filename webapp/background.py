"""Long work off the web workers: the Dash background-callback manager the app is built with.

* **Default: DiskcacheManager.** A background callback runs in a process of its own (forked from
  the web worker), its progress and result go through a diskcache directory on this machine
  (``$OPTISCAPE_DATA_DIR/background``), so every gunicorn worker of the machine can answer the
  browser's polls of any job, and Cancel kills the job's process.
* **With ``OPTISCAPE_REDIS_URL``: CeleryManager.** The job is a Celery task on Redis (broker and
  result backend), run by ``celery --app app:celery_app worker`` on any machine that reaches the
  Redis; Cancel revokes and terminates the task.

Either way results are cached by their inputs (``cache_by``): fifty students asking the same map
cause one computation, shared by every worker (and, with Redis, every machine), kept
:data:`RESULT_SECONDS`. A job is bounded by :data:`JOB_SECONDS` (:func:`job_deadline`, passed to
the engine like a request's deadline), besides the maps' own work budget.
"""
from __future__ import annotations

import contextlib
import logging
import os
import time

import diskcache
import redis

from dash import CeleryManager, DiskcacheManager

from webapp.compute import deadline as deadlines

__all__ = ["make_manager", "job_deadline", "progress_reporter", "JOB_SECONDS", "RESULT_SECONDS", "CACHE_VERSION"]

JOB_SECONDS = 20.0          # a background job stops stepping this long after it started
RESULT_SECONDS = 600        # a computed result is kept (and shared) this long
CACHE_VERSION = "maps-1"    # part of every cache key: bump it when a callback's answer changes shape


def _cache_version() -> str:
    return CACHE_VERSION


def make_manager(data_dir: str, redis_url: str | None):
    """``(manager, celery_app)``: Celery on ``redis_url`` when given, else diskcache under ``data_dir``."""
    if redis_url:
        import celery     # noqa: PLC0415 - only a Redis deployment needs it

        celery_app = celery.Celery("optiscape", broker=redis_url, backend=redis_url)
        celery_app.conf.update(task_time_limit=int(JOB_SECONDS) + 10, result_expires=RESULT_SECONDS,
                               broker_connection_retry_on_startup=True)
        return CeleryManager(celery_app, cache_by=[_cache_version], expire=RESULT_SECONDS), celery_app
    directory = os.path.join(data_dir, "background")
    os.makedirs(directory, exist_ok=True)
    return DiskcacheManager(diskcache.Cache(directory), cache_by=[_cache_version], expire=RESULT_SECONDS), None


@contextlib.contextmanager
def job_deadline(seconds: float | None = None):
    """Inside a background job (no request, no request deadline): the engine's deadline is
    ``seconds`` (default :data:`JOB_SECONDS`) from now. A job runs alone in its process, so the
    process-wide deadline source is replaced while it runs and put back after. (The job's process
    is forked with a copy of the request's context, whose 3 s request deadline must not apply.)"""
    with deadlines.deadline_at(time.monotonic() + (JOB_SECONDS if seconds is None else seconds)):
        yield


log = logging.getLogger(__name__)


def progress_reporter(set_progress):
    """``set_progress`` that never stops the job: progress is advisory, so an update the manager's store
    cannot take in time (diskcache's SQLite lock under load: measured in the classroom benchmark, or a
    Redis hiccup) is dropped with a log line, and the job goes on to its result."""
    def report(values) -> None:
        try:
            set_progress(values)
        except (diskcache.Timeout, OSError, redis.RedisError) as error:
            log.warning("a background job's progress update was dropped: %s", type(error).__name__)
    return report
