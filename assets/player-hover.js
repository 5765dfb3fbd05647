/*
 * optiscape player (hover): The map's hover read-out of the runs: the nearest point of a visible run among the steps the animation
 * has reached (within HOVER_PX), as a label with the run's name, step, x, y and loss; Plotly's own label
 * (the contour's x, y, f) is hidden meanwhile.
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
  var axesFor = use('axesFor'), fmt = use('fmt'), mapDiv = use('mapDiv'), project = use('project'),
      ready = use('ready');

  // ------------------------------------------------------------ hover read-out of the runs
  // The pointer over a plot area: the nearest point of a visible run among the steps the animation has
  // reached (within HOVER_PX), as a label with the run's name, step, x, y and loss. Plotly's own label
  // (the contour's x, y, f) is hidden meanwhile.
  var HOVER_PX = 12, hoverAt = null, hoverQueued = false;
  function hoverLabel(gd) {
    var label = gd.querySelector('.optiscape-hover');
    if (!label) {
      label = document.createElement('div');
      label.className = 'optiscape-hover';
      label.setAttribute('role', 'status');
      gd.querySelector('.svg-container').appendChild(label);
    }
    return label;
  }
  function hideHover(gd) {
    var label = gd && gd.querySelector('.optiscape-hover');
    if (label) { label.style.display = 'none'; label.removeAttribute('data-step'); }
    if (gd) { gd.classList.remove('optiscape-hovering'); }
  }
  function nearest(gd, drag, px, py) {
    var subplot = drag.getAttribute('data-subplot') || 'xy';
    var projection = project(gd), best = null;
    P.payload.runs.forEach(function (r, i) {
      var axes = axesFor(gd, i);
      if (!r.visible || axes[0].id + axes[1].id !== subplot) { return; }
      var p = projection.runs[i], last = Math.min(P.step, r.x.length - 1);
      for (var t = 0; t <= last; t++) {
        var dx = p.px[t] - px, dy = p.py[t] - py, d = dx * dx + dy * dy;
        if (d <= HOVER_PX * HOVER_PX && (!best || d < best.d)) { best = {d: d, run: i, step: t}; }
      }
    });
    return best;
  }
  function showHover() {
    hoverQueued = false;
    var gd = mapDiv(), at = hoverAt;
    if (!at || !ready(gd)) { hideHover(gd); return; }
    var rect = at.drag.getBoundingClientRect(), px = at.x - rect.left, py = at.y - rect.top;
    var found = nearest(gd, at.drag, px, py);
    if (!found) { hideHover(gd); return; }
    var r = P.payload.runs[found.run], t = found.step, loss = r.loss[t];
    var label = hoverLabel(gd), box = label.parentNode.getBoundingClientRect();
    label.textContent = '';
    [r.name, 'step ' + t, 'x ' + fmt(r.x[t]) + ', y ' + fmt(r.y[t]),
     'loss ' + (loss === null || loss === undefined ? 'undefined' : fmt(loss))].forEach(function (text, j) {
      var line = document.createElement(j ? 'div' : 'strong');
      line.textContent = text;
      label.appendChild(line);
    });
    label.style.backgroundColor = r.color;
    var point = projectionPoint(gd, found), x = rect.left - box.left + point.x, y = rect.top - box.top + point.y;
    label.style.display = 'block';
    // below right of the point; to its left / above it where the label would leave the graph
    var left = x + 12 + label.offsetWidth > box.width ? x - 12 - label.offsetWidth : x + 12;
    var top = y + 12 + label.offsetHeight > box.height ? y - 12 - label.offsetHeight : y + 12;
    label.style.left = Math.round(Math.max(0, left)) + 'px';
    label.style.top = Math.round(Math.max(0, top)) + 'px';
    label.setAttribute('data-step', String(t));
    label.setAttribute('data-run', String(found.run));
    gd.classList.add('optiscape-hovering');
  }
  function projectionPoint(gd, found) {
    var p = project(gd).runs[found.run];
    return {x: p.px[found.step], y: p.py[found.step]};
  }
  document.addEventListener('mousemove', function (event) {
    var gd = mapDiv();
    var drag = gd && event.target && event.target.closest && event.target.closest('.nsewdrag');
    if (!drag || !gd.contains(drag) || event.buttons) {
      if (hoverAt) { hoverAt = null; hideHover(gd); }
      return;
    }
    hoverAt = {x: event.clientX, y: event.clientY, drag: drag};
    if (!hoverQueued) { hoverQueued = true; requestAnimationFrame(showHover); }
  }, true);
  document.addEventListener('mouseout', function (event) {
    var gd = mapDiv();
    if (hoverAt && gd && event.target === hoverAt.drag && !(event.relatedTarget && hoverAt.drag.contains(event.relatedTarget))) {
      hoverAt = null; hideHover(gd);
    }
  }, true);

  function refreshHover() { if (hoverAt) { showHover(); } }

  Object.assign(NS, {hoverLabel: hoverLabel, hideHover: hideHover, nearest: nearest, showHover: showHover,
                   projectionPoint: projectionPoint, refreshHover: refreshHover});
})();
