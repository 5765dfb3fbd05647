"""What a user feels: real headless Chromium against ``make serve``, from each kind of edit to the new path drawn.

    python benchmarks/interaction.py [--repeats 8] [--workers 4] [--max-seconds 600]
    python benchmarks/interaction.py --url http://127.0.0.1:8050     # an already running `make serve`
    python benchmarks/interaction.py --visits-only [--list]          # first/repeat visit bytes only
    python benchmarks/interaction.py --only lr drag --repeats 3      # some kinds of edit only

Without ``--url`` it starts gunicorn as ``make serve`` does (``server_process``)
on a free port of 127.0.0.1 and stops it at the end. It drives Debian's
chromium through selenium (from ``dash[testing]``) with the options of
``tests/conftest.py`` and Chrome's performance log (CDP ``Network.*`` events).

It is black-box. Every DOM selector and the two snippets of page script it
needs are in ``SELECTORS`` below; adapt that table when the layout changes.
"New path drawn" is detected generically: a ``MutationObserver`` on the map
records, with ``performance.now()``, each moment the concatenated ``d`` of the
run paths changes; user input events (key, pointer, click) are timestamped the
same way (``event.timeStamp``). The latency of an edit is the time from its
last input event to the first moment the map showed the path it finally
settles on (settled: no request in flight, no further change for
``QUIET`` s). Requests and bytes of an edit are the CDP events between the
edit and its settling: requests sent, request bodies (``postData``) and
responses (``encodedDataLength``: bytes on the wire, headers included).

It prints, per kind of edit, median and p95 latency, requests and bytes per
edit, next to the targets of issue 9; the slider-drag path updates per second
(during the drag, and whether the path moved before release); and the bytes
and requests of a first visit (a fresh profile) and a repeat visit (the same
profile, a new navigation). Bounded: ``--repeats`` edits per kind (at most
30), ``EDIT_TIMEOUT`` s per edit, ``--max-seconds`` overall, 127.0.0.1 only.
Slowness, a missing control or a timeout is printed, never raised: exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(HERE)

from server_process import free_port, start_gunicorn, stop, wait_until_up  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
EDIT_TIMEOUT = 10.0      # s: an edit that has not settled by then is counted as a timeout
QUIET = 0.5              # s without a request in flight or a path change: the edit has settled
PAGE_TIMEOUT = 30.0      # s for a page load


def _pid(**key) -> str:
    """The DOM id Dash gives a pattern-matching id: JSON with sorted keys, no spaces."""
    return "[id='" + json.dumps(key, sort_keys=True, separators=(",", ":")) + "']"


# ------------------------------------------------------------------------------------------ the page
# Everything this script knows about the page. A selector may list alternatives (CSS ", ").
SELECTORS = {
    "map": "#map-graph",                                           # the observer watches this subtree
    "run_paths": "#map-graph .optiscape-runs path.run-path",       # one drawn path per visible run
    # also part of "the new picture": a longer run keeps the player at its step, so only the readout shows it
    "step_readout": "#step-readout",
    "contour": "#map-graph .contourlayer path",                    # the page has drawn its surface
    "map_click_area": "#map-graph .nsewdrag",                      # clicking here sets the start
    "lr_box": f"input{_pid(name='lr', run=0, type='hyper')}, {_pid(name='lr', run=0, type='hyper')} input",
    "lr_slider": _pid(name="lr", run=0, type="hyper-slider"),      # the slider's root (clicked on its track)
    "lr_slider_thumb": f"{_pid(name='lr', run=0, type='hyper-slider')} [role=slider]",
    "steps_box": "#steps-input",
    "add_run": "#add-run",
    "run_cards": "[id*='\"type\":\"run-card\"']",
    "remove_run": "[id*='\"type\":\"run-remove\"']",                # the last one is clicked
    "duplicate_run": "[id*='\"type\":\"run-duplicate\"']",          # the first one is clicked
    "optimizer_menu": "[id*='\"type\":\"run-optimizer\"']",         # run 0's optimizer dropdown
    "surface_menu": "#surface-picker",
    "menu_options": ".dash-dropdown-options [role=option], .dash-dropdown-options div",
    "formula_box": f"input{_pid(name='formula', type='surface-param-text')}",
    # page script: stop playback and show each path whole, so that any new path changes the drawing
    "pause_js": ("if (window.optiscapePlayer) { window.optiscapePlayer.pause(); window.optiscapePlayer.seek(1e9); }"
                 " else { var b = document.querySelector('#play-button');"
                 " if (b && /pause|\u275a/i.test(b.textContent + (b.title || ''))) { b.click(); } }"),
}
FORMULA_QUERY = "?surface=custom"        # a page where the formula box exists
LR_VALUES = ("0.02", "0.05")             # typed alternately into the lr box
STEPS_VALUES = ("400", "250")            # typed alternately into the steps box (<= 1000: a value edit)
SLIDER_FRACTIONS = (0.3, 0.6)            # clicked alternately on the lr slider's track
MAP_CLICKS = ((-0.25, -0.2), (0.2, 0.25))  # offsets from the map's centre, as fractions of its size
OPTIMIZERS = ("Momentum", "SGD")         # run 0's optimizer, alternately
SURFACES = ("Saddle point", "Ill-conditioned valley")
FORMULAS = ("x^2 + 3*y^2", "(x^2 - 1)^2 + 0.5*y^2")

# ------------------------------------------------------------------------------------------ targets (issue 9)
VALUE_EDIT = "value"
STRUCTURAL_EDIT = "structural"
TARGETS = {VALUE_EDIT: (150.0, 1), STRUCTURAL_EDIT: (300.0, None)}   # p95 ms, requests per edit
DRAG_TARGET = 10.0                       # path updates per second while dragging
FIRST_VISIT_TARGET = 3_000_000           # bytes transferred
REPEAT_VISIT_TARGET = 300_000

OBSERVER_JS = r"""
(function (mapSel, pathSel, readoutSel) {
  if (window.__bench) { return; }
  var B = window.__bench = {changes: [], inputs: [], sig: null};
  function signature() {
    var ps = document.querySelectorAll(pathSel), s = ps.length + ':';
    for (var i = 0; i < ps.length; i++) { s += (ps[i].getAttribute('d') || '') + '|'; }
    var readout = readoutSel && document.querySelector(readoutSel);
    return s + (readout ? readout.textContent : '');
  }
  B.signature = signature;
  B.sig = signature();
  function note() {
    var s = signature();
    if (s !== B.sig) { B.sig = s; B.changes.push(performance.now()); }
  }
  function attach() {
    var map = document.querySelector(mapSel);
    if (!map) { setTimeout(attach, 50); return; }
    var watch = {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['d']};
    new MutationObserver(note).observe(map, watch);
    var readout = readoutSel && document.querySelector(readoutSel);
    if (readout) { new MutationObserver(note).observe(readout, watch); }
  }
  attach();
  ['keydown', 'pointerdown', 'pointerup', 'click', 'pointermove'].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (type === 'pointermove' && !e.buttons) { return; }
      B.inputs.push([type, e.timeStamp]);
    }, true);
  });
})(arguments[0], arguments[1], arguments[2]);
"""


# ------------------------------------------------------------------------------------------ browser
def new_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(CHROMEDRIVER) if os.path.exists(CHROMEDRIVER) else Service()
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    return driver


class Network:
    """The CDP Network events of Chrome's performance log, read incrementally."""

    def __init__(self, driver):
        self.driver = driver
        self.reset()

    def reset(self):
        self.sent: dict[str, dict] = {}
        self.done: set[str] = set()
        self.received: dict[str, int] = {}
        self.last_event = time.monotonic()

    def drain(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method", ""), message.get("params", {})
            request_id = params.get("requestId")
            if method == "Network.requestWillBeSent":
                request = params.get("request", {})
                if request.get("url", "").startswith("data:"):
                    continue
                self.sent[request_id] = {"url": request.get("url", ""),
                                         "body": len(request.get("postData", "") or "")}
            elif method == "Network.loadingFinished":
                self.done.add(request_id)
                self.received[request_id] = int(params.get("encodedDataLength", 0))
            elif method == "Network.loadingFailed":
                self.done.add(request_id)
            else:
                continue
            self.last_event = time.monotonic()

    def in_flight(self) -> int:
        return len(set(self.sent) - self.done)

    def totals(self) -> tuple[int, int, int]:
        """(requests, request body bytes, response bytes on the wire) since the last reset."""
        ids = set(self.sent)
        return (len(ids), sum(self.sent[i]["body"] for i in ids),
                sum(self.received.get(i, 0) for i in ids))


class Page:
    def __init__(self, driver, url: str):
        self.driver, self.url = driver, url
        self.network = Network(driver)

    # -------------------------------------------------------------- helpers
    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def find(self, key: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, SELECTORS[key])

    def open(self, query: str = "") -> bool:
        """Load the page and wait until the map shows a contour and run paths, and the network is quiet."""
        self.network.drain()
        self.network.reset()
        self.driver.get(self.url + "/" + query)
        deadline = time.monotonic() + PAGE_TIMEOUT
        while time.monotonic() < deadline:
            drawn = self.js("return document.querySelectorAll(arguments[0]).length > 0 && "
                            "document.querySelectorAll(arguments[1]).length > 0",
                            SELECTORS["contour"], SELECTORS["run_paths"])
            self.network.drain()
            if drawn and self.network.in_flight() == 0 and time.monotonic() - self.network.last_event > 1.0:
                self.js(OBSERVER_JS, SELECTORS["map"], SELECTORS["run_paths"], SELECTORS["step_readout"])
                return True
            time.sleep(0.1)
        return False

    def pause(self) -> None:
        self.js(SELECTORS["pause_js"])
        time.sleep(0.1)

    def _mark(self) -> tuple[int, int]:
        return tuple(self.js("return [window.__bench.changes.length, window.__bench.inputs.length]"))

    def measure(self, action) -> dict:
        """Run ``action()`` (a user's edit) and wait for it to settle; its latency, requests and bytes."""
        self.pause()                       # every path whole: a new path always changes the drawing
        self.network.drain()
        self.network.reset()
        changes_before, inputs_before = self._mark()
        try:
            action()
        except Exception as error:    # a control that is missing or not interactable: report, go on
            return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:80]}"}
        began = time.monotonic()
        last_changes = changes_before
        last_activity = time.monotonic()
        while time.monotonic() - began < EDIT_TIMEOUT:
            time.sleep(0.05)
            self.network.drain()
            changes = self.js("return window.__bench.changes.length")
            if changes != last_changes:
                last_changes, last_activity = changes, time.monotonic()
            quiet_since = max(last_activity, self.network.last_event)
            if (changes > changes_before and self.network.in_flight() == 0
                    and time.monotonic() - quiet_since >= QUIET):
                break
        else:
            requests, sent, received = self.network.totals()
            return {"error": f"timeout ({last_changes - changes_before} redraws, {requests} requests, "
                             f"{self.network.in_flight()} in flight)"}
        bench = self.js("return {changes: window.__bench.changes.slice(arguments[0]),"
                        " inputs: window.__bench.inputs.slice(arguments[1])}", changes_before, inputs_before)
        requests, sent, received = self.network.totals()
        inputs = [t for kind, t in bench["inputs"] if kind != "pointermove"]
        final = bench["changes"][-1]       # the path the edit settled on first appeared here
        before = [t for t in inputs if t <= final]
        latency = final - before[-1] if before else float("nan")
        return {"latency": latency, "requests": requests, "sent": sent, "received": received,
                "updates": len(bench["changes"])}

    # -------------------------------------------------------------- edits
    def type_into(self, key: str, text: str) -> None:
        from selenium.webdriver.common.keys import Keys
        box = self.find(key)[0]
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE)
        box.send_keys(text + Keys.ENTER)

    def click(self, key: str, index: int = 0) -> None:
        elements = self.find(key)
        elements[index].click()

    def click_at(self, element, fx: float, fy: float) -> None:
        """Click ``element`` at (fx, fy) fractions of its size from its centre."""
        from selenium.webdriver.common.action_chains import ActionChains
        import selenium
        width, height = element.size["width"], element.size["height"]
        dx, dy = int(fx * width), int(fy * height)
        if tuple(int(v) for v in selenium.__version__.split(".")[:2]) < (4, 3):   # offsets from the corner
            dx, dy = dx + width // 2, dy + height // 2
        ActionChains(self.driver).move_to_element_with_offset(element, dx, dy).click().perform()

    def pick(self, menu_key: str, label: str) -> None:
        self.find(menu_key)[0].click()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            options = [o for o in self.find("menu_options") if o.text.strip() == label]
            if options:
                options[0].click()
                return
            time.sleep(0.05)
        raise LookupError(f"no option {label!r} in {SELECTORS[menu_key]}")

    def drag_slider(self, seconds: float = 2.0, moves: int = 40) -> dict:
        """Drag the lr slider's thumb right then back for ``seconds``; path updates during the drag."""
        from selenium.webdriver.common.action_chains import ActionChains
        thumb = self.find("lr_slider_thumb")[0]
        width = self.find("lr_slider")[0].size["width"]
        step = max(1, int(width * 0.4 / (moves / 2)))
        self.network.drain()
        self.network.reset()
        changes_before, _ = self._mark()
        t_down = self.js("return performance.now()")
        self.pause()
        chain = ActionChains(self.driver, duration=0).click_and_hold(thumb)
        for i in range(moves):
            chain.move_by_offset(step if i < moves // 2 else -step, 0).pause(seconds / moves)
        chain.perform()
        t_up = self.js("return performance.now()")
        ActionChains(self.driver, duration=0).release().perform()
        time.sleep(QUIET + 1.0)
        self.network.drain()
        changes = self.js("return window.__bench.changes.slice(arguments[0])", changes_before)
        during = [t for t in changes if t_down <= t <= t_up]
        requests, sent, received = self.network.totals()
        return {"per_second": len(during) / max(1e-9, (t_up - t_down) / 1e3), "during": len(during),
                "after_release": len(changes) - len(during), "seconds": (t_up - t_down) / 1e3,
                "requests": requests, "received": received}


# ------------------------------------------------------------------------------------------ the run
def edits(page: Page):
    """(name, kind, action) for each kind of edit; each action alternates values so each edit changes something."""
    counters: dict[int, int] = {}

    def nth(values):        # the next of ``values``, counted per tuple (so per kind of edit)
        counters[id(values)] = counters.get(id(values), -1) + 1
        return values[counters[id(values)] % len(values)]

    return [
        ("lr number box typed", VALUE_EDIT, lambda: page.type_into("lr_box", nth(LR_VALUES))),
        ("lr slider clicked", VALUE_EDIT, lambda: page.click_at(page.find("lr_slider")[0], nth(SLIDER_FRACTIONS) - 0.5, 0)),
        ("map click sets the start", VALUE_EDIT, lambda: page.click_at(page.find("map_click_area")[0], *nth(MAP_CLICKS))),
        ("steps typed (<= 1000)", VALUE_EDIT, lambda: page.type_into("steps_box", nth(STEPS_VALUES))),
        ("add run", STRUCTURAL_EDIT, lambda: page.click("add_run")),
        ("remove run", STRUCTURAL_EDIT, lambda: page.click("remove_run", -1)),
        ("duplicate run", STRUCTURAL_EDIT, lambda: page.click("duplicate_run", 0)),
        ("remove run", STRUCTURAL_EDIT, lambda: page.click("remove_run", -1)),
        ("change optimizer", STRUCTURAL_EDIT, lambda: page.pick("optimizer_menu", nth(OPTIMIZERS))),
        ("change surface", STRUCTURAL_EDIT, lambda: page.pick("surface_menu", nth(SURFACES))),
    ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summarize(name: str, kind: str, samples: list[dict]) -> str:
    target_ms, target_requests = TARGETS[kind]
    good = [s for s in samples if "latency" in s and s["latency"] == s["latency"]]
    problems = len(samples) - len(good)
    if not good:
        reasons = sorted({s.get("error", "no input event") for s in samples})
        return f"{name:<26}{'-':>8}{'-':>8}{'-':>6}{'-':>9}{'-':>9}   n/a ({'; '.join(reasons)[:90]})"
    latencies = [s["latency"] for s in good]
    requests = statistics.median(s["requests"] for s in good)
    sent = statistics.median(s["sent"] for s in good)
    received = statistics.median(s["received"] for s in good)
    p95 = percentile(latencies, 0.95)
    verdict = [f"p95 <= {target_ms:.0f} ms {'met' if p95 <= target_ms else 'missed'}"]
    if target_requests is not None:
        verdict.append(f"{target_requests} request {'met' if requests <= target_requests else 'missed'}")
    reasons = sorted({s.get("error", "no input event") for s in samples if s not in good})
    note = f"  ({problems} of {len(samples)} failed: {'; '.join(reasons)[:80]})" if problems else ""
    return (f"{name:<26}{statistics.median(latencies):8.0f}{p95:8.0f}{requests:6.0f}{sent / 1e3:9.1f}"
            f"{received / 1e3:9.1f}   {', '.join(verdict)}{note}")


def visit_bytes(page: Page, query: str = "", listing: bool = False) -> tuple[int, int] | None:
    if not page.open(query):
        return None
    requests, _, received = page.network.totals()
    if listing:                                     # every request of the visit, largest first
        network = page.network
        for request_id, sent in sorted(network.sent.items(), key=lambda item: -network.received.get(item[0], 0)):
            print(f"    {network.received.get(request_id, 0):>10,} B  {sent['url'][len(page.url):][:100]}")
    return requests, received


def run(url: str, repeats: int, max_seconds: float, visits_only: bool = False, listing: bool = False,
        only: tuple[str, ...] = ()) -> None:
    began = time.monotonic()
    out_of_time = lambda: time.monotonic() - began > max_seconds   # noqa: E731
    driver = new_browser()
    try:
        page = Page(driver, url)
        if listing:
            print("first visit, every request:")
        first = visit_bytes(page, listing=listing)
        if listing:
            print("repeat visit, every request:")
        repeat = visit_bytes(page, listing=listing)
        print(f"interaction benchmark: headless Chromium against {url}, {repeats} edits per kind "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"{'visit':<26}{'requests':>9}{'MB':>10}   target")
        for label, figures, target in (("first visit (fresh profile)", first, FIRST_VISIT_TARGET),
                                       ("repeat visit (same profile)", repeat, REPEAT_VISIT_TARGET)):
            if figures is None:
                print(f"{label:<26}   the page did not finish loading within {PAGE_TIMEOUT:.0f} s")
                continue
            requests, received = figures
            print(f"{label:<26}{requests:9d}{received / 1e6:10.3f}   <= {target / 1e6:g} MB "
                  f"({'met' if received <= target else 'missed'})")
        if repeat is None or visits_only:
            return
        page.pause()
        samples: dict[tuple[str, str], list[dict]] = {}
        wanted = lambda name: not only or any(word in name for word in only)   # noqa: E731
        kinds = [edit for edit in edits(page) if wanted(edit[0]) or (edit[0] == "remove run" and
                                                                   (wanted("add run") or wanted("duplicate run")))]
        for _ in range(repeats):
            for name, kind, action in kinds:
                if out_of_time():
                    break
                samples.setdefault((name, kind), []).append(page.measure(action))
        drag = None if out_of_time() or not wanted("slider drag") else page.drag_slider()
        if not out_of_time() and wanted("formula edit") and page.open(FORMULA_QUERY):
            page.pause()
            for _ in range(repeats):
                if out_of_time():
                    break
                counter = len(samples.get(("formula edit", STRUCTURAL_EDIT), []))
                samples.setdefault(("formula edit", STRUCTURAL_EDIT), []).append(
                    page.measure(lambda: page.type_into("formula_box", FORMULAS[counter % len(FORMULAS)])))
        print()
        print(f"{'edit':<26}{'p50 ms':>8}{'p95 ms':>8}{'req':>6}{'sent kB':>9}{'recv kB':>9}   target (issue 9)")
        for (name, kind), values in samples.items():
            print(summarize(name, kind, values))
        if drag is not None:
            moved = "moves before release" if drag["during"] else "does not move before release"
            print(f"{'slider drag':<26}{drag['per_second']:8.1f} updates/s during a {drag['seconds']:.1f} s drag "
                  f"(path {moved}; {drag['after_release']} update(s) after; {drag['requests']} requests)   "
                  f">= {DRAG_TARGET:g}/s ({'met' if drag['per_second'] >= DRAG_TARGET else 'missed'})")
        print(f"(requests and bytes are medians per edit: every request the page made until it settled; "
              f"{time.monotonic() - began:.0f} s in all)")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "4")))
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (default: start gunicorn)")
    parser.add_argument("--visits-only", action="store_true", help="only the first- and repeat-visit bytes")
    parser.add_argument("--list", action="store_true", help="list every request of both visits with its bytes")
    parser.add_argument("--only", nargs="+", default=(), metavar="WORD",
                        help="only the edits whose name contains one of these words (e.g. lr drag formula)")
    args = parser.parse_args()
    repeats = max(1, min(args.repeats, 30))
    process = None
    if args.url:
        if urllib.parse.urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
            print(f"interaction benchmark refused: {args.url} is not 127.0.0.1")
            return
        url = args.url.rstrip("/")
    else:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = start_gunicorn(port, args.workers)
    try:
        if not wait_until_up(url, process):
            print("interaction benchmark skipped: the server did not come up")
            return
        try:
            run(url, repeats, min(args.max_seconds, 1800.0), args.visits_only, args.list, tuple(args.only))
        except Exception as error:   # no browser, a crashed driver: say so, never fail
            print(f"interaction benchmark stopped: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
    finally:
        if process is not None:
            stop(process)


if __name__ == "__main__":
    main()
