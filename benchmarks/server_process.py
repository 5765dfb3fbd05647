"""Start and stop gunicorn as ``make serve`` does, on a free port of 127.0.0.1 (for the benchmarks).

``start_gunicorn`` runs the same command line as the Makefile's ``serve`` target,
in its own session so that ``stop`` ends the master and every worker at once.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CONFIG = os.path.join(ROOT, "gunicorn.conf.py")     # the settings of `make serve`


def gunicorn_command(port: int, workers: int, extra: tuple[str, ...] = ()) -> list[str]:
    """The ``make serve`` command line; ``extra`` flags override gunicorn.conf.py."""
    binary = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return [binary if os.path.exists(binary) else "gunicorn", "--config", CONFIG, "app:server",
            "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *extra]


def start_gunicorn(port: int, workers: int, extra: tuple[str, ...] = (), **popen) -> subprocess.Popen:
    """gunicorn as ``make serve`` runs it, in its own process group so it can be stopped as a whole."""
    return subprocess.Popen(gunicorn_command(port, workers, extra), cwd=ROOT, start_new_session=True,
                            **popen)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)       # our own session: the master and its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(url: str, process: subprocess.Popen | None, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/_dash-dependencies", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    return False
