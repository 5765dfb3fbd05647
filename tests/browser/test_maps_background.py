"""The Maps panel's background job in real Chromium: progress is shown, and Cancel stops the job's
process on the server (not only the answer in the browser)."""
from __future__ import annotations

import os
import time

import psutil

from app_helpers import open_app, until
from webapp.panels.maps import callbacks as maps_callbacks


def job_processes() -> list:
    """Processes forked from this test process to run a background job (same command line, alive)."""
    me = psutil.Process(os.getpid())
    return [child for child in me.children(recursive=True)
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE and child.cmdline() == me.cmdline()]


def test_cancel_stops_the_background_job_on_the_server(dash_duo, monkeypatch):
    started = "/tmp/optiscape-slow-map-%d" % os.getpid()

    def slow_panels(request, state, messages, progress=None):
        """A map that would take a minute: it reports its first panel, then works (sleeps) on."""
        if progress is not None:
            progress(0, len(request.runs))
        with open(started, "a") as out:                 # which process runs it: the job Cancel must stop
            out.write(f"{os.getpid()}\n")
        time.sleep(60)
        return []

    monkeypatch.setattr(maps_callbacks, "compute_panels", slow_panels)      # the job's process is forked: it sees it
    before = {p.pid for p in job_processes()}
    open_app(dash_duo, f"?map=basin&map_grid=21&map_steps={40 + os.getpid() % 50}&map_runs=0,1")
    until(lambda: os.path.exists(started), timeout=20, message="the map job did not start")
    until(lambda: [p for p in job_processes() if p.pid not in before], timeout=10,
          message="no job process runs the map")
    until(lambda: "computing" in dash_duo.find_element("#maps-progress").text and
          "0 / 2" in dash_duo.find_element("#maps-progress").text, timeout=10, message="no progress shown")
    assert dash_duo.find_element("#maps-compute").get_attribute("disabled")
    time.sleep(1.0)                                      # the page may have superseded a first job: the last one shows
    current = psutil.Process(int(open(started).read().split()[-1]))
    dash_duo.find_element("#maps-cancel").click()
    until(lambda: not current.is_running() or current.status() == psutil.STATUS_ZOMBIE, timeout=15,
          message="the job's process still runs after Cancel")
    until(lambda: not dash_duo.find_element("#maps-compute").get_attribute("disabled"), timeout=10,
          message="Compute stayed disabled after Cancel")
    os.remove(started)
