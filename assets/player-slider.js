/*
 * optiscape player (slider): slider <-> number box of one numeric parameter, and the live path under a dragged run slider
 * (previews posted to the server's /_optiscape/preview route, webapp/panels/stage/preview.py).
 *
 * One of the player's files (assets/player-*.js), all in the one namespace window.optiscapePlayer;
 * each adds its functions with Object.assign and calls the others' through it at call time, so the
 * order the files load in does not matter. Only assets/player-plotly.js touches Plotly's internals.
 */
(function () {
  'use strict';

  var NS = window.optiscapePlayer = window.optiscapePlayer || {};
  var P = NS.state = NS.state || {};
  function use(name) { return function () { return NS[name].apply(null, arguments); }; }
  function plotly() { return NS.plotly; }
  var draw = use('draw'), noUpdate = use('noUpdate');

  // slider <-> number box of one numeric parameter. While a run's slider is dragged (drag_value), the
  // path follows the thumb through previews: each new position (at most one every PREVIEW_MS, at most
  // PREVIEW_MAX in flight, the latest waiting) is posted to the server's preview route, which answers
  // that one run's payload entry; the player swaps it in. No Dash request goes out while dragging (Dash
  // keeps one request per callback in flight and drops superseded answers, so the path moved about twice
  // a second); the box shows the thumb's value meanwhile. On release the value is one ordinary edit.
  // A surface parameter's slider re-draws the contour, so it sends its value one answer at a time.
  var PREVIEW_MS = 50, PREVIEW_MAX = 2, DRAG_MS = 60, DRAG_WAIT_MS = 1500;
  var preview = {seq: 0, applied: 0, inflight: 0, pending: null, last: 0, timer: 0, sent: 0, answered: 0};
  var drag = {inflight: false, since: 0, pending: null};
  function sliderToBox(sliderValue, log, zero, low) {
    return log ? ((zero && sliderValue <= low + 1e-9) ? 0 : Number(Math.pow(10, sliderValue).toPrecision(3)))
               : Number(sliderValue.toPrecision(6));
  }
  function previewUrl() {
    var config = document.getElementById('_dash-config'), prefix = '/';
    try { prefix = JSON.parse(config.textContent).requests_pathname_prefix || '/'; } catch (e) { /* the export */ }
    return prefix + '_optiscape/preview';
  }
  function boxInput(boxId) {             // Dash's DOM id of a pattern id: JSON with sorted keys
    var keys = Object.keys(boxId).sort(), id = '{' + keys.map(function (k) {
      return JSON.stringify(k) + ':' + JSON.stringify(boxId[k]);
    }).join(',') + '}';
    var node = document.getElementById(id);
    return node && node.tagName !== 'INPUT' ? node.querySelector('input') : node;
  }
  function pumpPreview() {
    if (!preview.pending || preview.inflight >= PREVIEW_MAX) { return; }
    var wait = PREVIEW_MS - (Date.now() - preview.last);
    if (wait > 0) {
      if (!preview.timer) { preview.timer = window.setTimeout(function () { preview.timer = 0; pumpPreview(); }, wait); }
      return;
    }
    var job = preview.pending, seq = ++preview.seq;
    preview.pending = null; preview.last = Date.now(); preview.inflight += 1; preview.sent += 1;
    var body = {query: window.location.search, run: job.id.run, control: {type: job.id.type, name: job.id.name},
                value: job.value, seq: seq};
    window.fetch(previewUrl(), {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.entry && seq > preview.applied) {
          preview.applied = seq; preview.answered += 1;
          previewRun(answer.run, answer.entry);
        }
      }, function () { /* the server went away: the release's edit still goes out */ })
      .then(function () { preview.inflight -= 1; pumpPreview(); });
  }
  function previewRun(index, entry) {
    if (!P.payload || !P.payload.runs[index]) { return; }
    var runs = P.payload.runs.slice();
    runs[index] = entry;
    P.payload = Object.assign({}, P.payload, {runs: runs, token: (Date.now() % 2000000000) + 0.5});
    P.projection = null;
    P.drawn = -1;
    draw(true);
  }
  function sendDragged(boxId, value) {
    drag.inflight = true; drag.since = Date.now(); drag.pending = null;
    window.dash_clientside.set_props(boxId, {value: value});
  }
  function dragAnswered() {                // new paths arrived: previews still out are stale; a surface
    preview.applied = preview.seq;         // parameter's waiting position goes out
    preview.pending = null;
    var waiting = drag.pending;
    drag.inflight = false;
    if (waiting) { window.setTimeout(function () { sendDragged(waiting.id, waiting.value); }, 0); }
  }
  function syncSlider(sliderValue, dragValue, boxValue, className, low) {
    var nu = noUpdate();
    var ctx = window.dash_clientside.callback_context;
    var fired = ctx && ctx.triggered ? ctx.triggered.map(function (t) { return t.prop_id; }) : [];
    var log = / log( |$)/.test(' ' + (className || ''));
    var zero = / zero( |$)/.test(' ' + (className || ''));
    var released = fired.some(function (p) { return /-slider.*\.value$/.test(p); });
    var dragged = !released && fired.some(function (p) { return /\.drag_value$/.test(p); });
    if (dragged) {
      // the slider also sets drag_value when its value is set (e.g. from the box): only a real drag counts
      if (typeof dragValue !== 'number' || !isFinite(dragValue) || dragValue === sliderValue) { return [nu, nu]; }
      var id = fired[0].slice(0, fired[0].lastIndexOf('.'));
      var boxId = JSON.parse(id); boxId.type = boxId.type.replace(/-slider$/, '');
      var value = sliderToBox(dragValue, log, zero, low);
      if (boxId.type !== 'surface-param') {
        var input = boxInput(boxId);
        if (input) { input.value = String(value); }
        preview.pending = {id: boxId, value: value};
        pumpPreview();
        return [nu, nu];
      }
      var busy = drag.inflight && Date.now() - drag.since < DRAG_WAIT_MS;
      if (busy || Date.now() - drag.since < DRAG_MS) { drag.pending = {id: boxId, value: value}; return [nu, nu]; }
      if (value === boxValue) { return [nu, nu]; }
      drag.inflight = true; drag.since = Date.now(); drag.pending = null;
      return [nu, value];
    }
    if (released) {
      if (typeof sliderValue !== 'number' || !isFinite(sliderValue)) { return [nu, nu]; }
      drag.pending = null;
      preview.pending = null;
      preview.applied = preview.seq;       // a preview still out is older than the released value
      var settled = sliderToBox(sliderValue, log, zero, low);
      return settled === boxValue ? [nu, nu] : [nu, settled];
    }
    if (typeof boxValue !== 'number' || !isFinite(boxValue)) { return [nu, nu]; }
    return [log ? (boxValue > 0 ? Math.log10(boxValue) : low) : boxValue, nu];
  }

  function previewCounts() { return {sent: preview.sent, answered: preview.answered}; }

  Object.assign(NS, {sliderToBox: sliderToBox, previewUrl: previewUrl, boxInput: boxInput,
                   pumpPreview: pumpPreview, previewRun: previewRun, sendDragged: sendDragged,
                   dragAnswered: dragAnswered, syncSlider: syncSlider, previewCounts: previewCounts});
})();
