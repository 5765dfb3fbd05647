"""webapp.background: the manager chosen by the environment, a job's own deadline, progress that never stops a job."""
from __future__ import annotations

import time

import diskcache
import pytest
import redis
from dash import CeleryManager, DiskcacheManager

from webapp import background
from webapp.compute.deadline import current_deadline


def test_diskcache_by_default_and_celery_with_redis(tmp_path):
    manager, celery_app = background.make_manager(str(tmp_path), None)
    assert isinstance(manager, DiskcacheManager) and celery_app is None
    assert (tmp_path / "background").is_dir()
    manager, celery_app = background.make_manager(str(tmp_path), "redis://127.0.0.1:1/0")   # nothing is contacted yet
    assert isinstance(manager, CeleryManager) and celery_app.conf.broker_url == "redis://127.0.0.1:1/0"


def test_a_job_has_its_own_deadline_and_puts_the_source_back():
    before = current_deadline()
    with background.job_deadline(5.0):
        assert abs(current_deadline() - (time.monotonic() + 5.0)) < 0.5
    assert current_deadline() == before


@pytest.mark.parametrize("error", [diskcache.Timeout(), OSError("disk"), redis.ConnectionError()])
def test_a_progress_update_the_store_cannot_take_is_dropped(error):
    seen = []

    def set_progress(values):
        seen.append(values)
        raise error

    report = background.progress_reporter(set_progress)
    report(("computing… 0 / 2",))                    # does not raise: the job goes on
    assert seen == [("computing… 0 / 2",)]
