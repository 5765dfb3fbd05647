"""Shared test setup: the repository root on sys.path, and Chrome options for browser tests."""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.join(ROOT, "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)


# ------------------------------------------------------------------ browser tests
BROWSER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser")
CHROMIUM = "/usr/bin/chromium"


def pytest_setup_options():
    """Chrome options for dash.testing's ``dash_duo``: Debian's chromium, headless, quiet, fixed size.

    ``--no-sandbox`` because the suite runs as root; no network chatter
    (component updates, sync, first-run pages) so runs are quieter and faster.
    """
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,800"):
        options.add_argument(argument)
    return options


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ carries the ``browser`` marker (``-m "not browser"`` skips them)."""
    import pytest

    for item in items:
        if os.path.abspath(str(item.fspath)).startswith(BROWSER_DIR + os.sep):
            item.add_marker(pytest.mark.browser)
