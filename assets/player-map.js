/*
 * optiscape player (map): The runs on the map: each run's path projected to pixels once per payload and view (side by side:
 * run i in panel i), and per frame the path so far, the Polyak average, the arrows, the current point
 * and the start marker.
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
  var drawArrow = use('drawArrow'), drawLookahead = use('drawLookahead'), lookaheadParts = use('lookaheadParts');
  var el = use('el'), layer = use('layer'), side = use('side');

  // Pixel paths of every run for the current axes, cached until the payload or the axes change.
  // Side by side: run i lives in panel i (axes x{i+1}, y{i+1}); overlay: every run on x, y.
  function axesFor(gd, i) {
    var suffix = side() && i > 0 ? String(i + 1) : '', adapter = plotly();
    return [adapter.axis(gd, 'xaxis' + suffix) || adapter.axis(gd, 'xaxis'),
            adapter.axis(gd, 'yaxis' + suffix) || adapter.axis(gd, 'yaxis')];
  }

  function polyline(xa, ya, xs, ys) {
    var n = xs.length, px = new Float64Array(n), py = new Float64Array(n), ends = new Int32Array(n), d = '';
    for (var i = 0; i < n; i++) {
      px[i] = Math.max(-1e5, Math.min(1e5, xa.toPixel(xs[i])));
      py[i] = Math.max(-1e5, Math.min(1e5, ya.toPixel(ys[i])));
      d += (i ? 'L' : 'M') + px[i].toFixed(1) + ',' + py[i].toFixed(1);
      ends[i] = d.length;
    }
    return {px: px, py: py, d: d, ends: ends};
  }

  function project(gd) {
    var xa = plotly().axis(gd, 'xaxis'), ya = plotly().axis(gd, 'yaxis');
    var key = P.payload.token + ':' + xa.range.join(',') + ':' + ya.range.join(',') + ':' + xa.length + ':' + ya.length;
    if (P.projection && P.projection.key === key) { return P.projection; }
    var runs = P.payload.runs.map(function (r, i) {
      var axes = axesFor(gd, i), p = polyline(axes[0], axes[1], r.x, r.y);
      if (r.polyak) { p.polyak = polyline(axes[0], axes[1], r.polyak.x, r.polyak.y); }
      if (r.ema) { p.ema = polyline(axes[0], axes[1], r.ema.x, r.ema.y); }
      if (r.snapshots) {
        p.snapshots = r.snapshots.x.map(function (x, j) { return [axes[0].toPixel(x), axes[1].toPixel(r.snapshots.y[j])]; });
        p.snapshotMean = [axes[0].toPixel(r.snapshots.mean[0]), axes[1].toPixel(r.snapshots.mean[1])];
      }
      return p;
    });
    P.projection = {key: key, runs: runs};
    return P.projection;
  }

  // Per run, in its layer: the Polyak average (dashed), the path so far, the arrows, the current point.
  function buildRuns(gd) {
    var container = gd.querySelector('.svg-container');
    var stale = container ? container.querySelectorAll('svg.optiscape-runs') : [];
    for (var s = 0; s < stale.length; s++) { stale[s].parentNode.removeChild(stale[s]); }
    P.groups = P.payload.runs.map(function (r, i) {
      var axes = axesFor(gd, i);
      var g = layer(gd, side() ? 'optiscape-runs optiscape-panel-' + i : 'optiscape-runs', axes[0], axes[1]);
      if (!g) { return null; }
      g.setAttribute('data-token', String(P.payload.token));
      if (!g.querySelector('.start-marker')) {          // the start of every run, once per layer
        el('circle', {'class': 'start-marker', r: '7', fill: 'none', stroke: '#111111', 'stroke-width': '3'}, g);
      }
      var run = el('g', {'class': 'optiscape-run', 'data-run': String(i)}, g);
      if (!r.visible) { run.setAttribute('display', 'none'); }
      var parts = {layer: g};
      if (r.polyak) {                       // drawn above every run's path (moved to the overlay group below)
        parts.polyakGroup = el('g', {'class': 'run-polyak-group', 'data-run': String(i)}, run);
        if (!r.visible) { parts.polyakGroup.setAttribute('display', 'none'); }
        parts.polyakHalo = el('path', {fill: 'none', stroke: '#ffffff', 'stroke-width': '6', 'stroke-linecap': 'round',
                                       'stroke-linejoin': 'round', opacity: '0.9'}, parts.polyakGroup);
        parts.polyak = el('path', {'class': 'run-polyak', fill: 'none', stroke: r.color, 'stroke-width': '3',
                                   'stroke-dasharray': '8,5', 'stroke-linecap': 'round'}, parts.polyakGroup);
        parts.polyakPoint = el('rect', {'class': 'run-polyak-point', width: '11', height: '11', fill: '#ffffff',
                                        stroke: r.color, 'stroke-width': '3', display: 'none'}, parts.polyakGroup);
        if (r.ema) {                        // the lecture's EMA beside the running mean: dotted, a diamond
          parts.emaHalo = el('path', {fill: 'none', stroke: '#ffffff', 'stroke-width': '6', 'stroke-linecap': 'round',
                                      opacity: '0.9'}, parts.polyakGroup);
          parts.ema = el('path', {'class': 'run-ema', fill: 'none', stroke: r.color, 'stroke-width': '3',
                                  'stroke-dasharray': '1,6', 'stroke-linecap': 'round'}, parts.polyakGroup);
          parts.emaPoint = el('polygon', {'class': 'run-ema-point', fill: r.color, stroke: '#ffffff',
                                          'stroke-width': '2', display: 'none'}, parts.polyakGroup);
        }
        if (r.snapshots) {                  // snapshot points: open circles, shown once the run has passed them
          parts.snapshots = r.snapshots.steps.map(function (t) {
            return el('circle', {'class': 'run-snapshot', r: '6', fill: '#ffffff', stroke: r.color, 'stroke-width': '2.5',
                                 'data-step': String(t), display: 'none'}, parts.polyakGroup);
          });
          parts.snapshotMean = el('path', {'class': 'run-snapshot-mean', fill: 'none', stroke: r.color,
                                           'stroke-width': '3', display: 'none'}, parts.polyakGroup);
        }
      }
      // "fade old steps": the path older than fadeSteps() is drawn apart, faint (empty when fading is off)
      parts.old = el('path', {'class': 'run-path-old', fill: 'none', stroke: r.color, 'stroke-width': '2',
                              'stroke-linejoin': 'round', 'stroke-linecap': 'round', opacity: '0.22'}, run);
      parts.path = el('path', {'class': 'run-path', fill: 'none', stroke: r.color, 'stroke-width': '2.5',
                               'stroke-linejoin': 'round', 'stroke-linecap': 'round'}, run);
      if (r.dash) { parts.path.setAttribute('stroke-dasharray', r.dash); parts.old.setAttribute('stroke-dasharray', r.dash); }
      if (r.arrows) {
        var arrows = el('g', {'class': 'run-arrows'}, run);
        parts.arrows = r.arrows.kinds.map(function (kind, j) {
          var colour = r.arrows.colors[j];
          var line = el('line', {'class': 'arrow arrow-' + kind, stroke: colour, 'stroke-width': kind === 'step' ? '4' : '2.5',
                                 'stroke-linecap': 'round'}, arrows);
          var head = el('polygon', {'class': 'arrow-head arrow-head-' + kind, fill: colour}, arrows);
          // the (wider) step goes underneath: where it points with the gradient (SGD), both stay visible
          if (kind === 'step') { arrows.insertBefore(head, arrows.firstChild); arrows.insertBefore(line, head); }
          return {line: line, head: head};
        });
        if (r.lookahead) { parts.lookahead = lookaheadParts(arrows, r.color); }
      }
      parts.marker = el('circle', {'class': 'run-marker', r: '6.5', fill: r.color, stroke: '#ffffff', 'stroke-width': '2'}, run);
      return parts;
    });
    P.groups.forEach(function (parts) {
      if (parts && parts.polyakGroup) { parts.layer.appendChild(parts.polyakGroup); }
    });
    averagesKey(gd);
  }

  // With the Polyak overlay on: a key in the plot's lower left corner (running mean, EMA with its decay,
  // snapshot points and their mean), in the first layer.
  function averagesKey(gd) {
    var runs = P.payload.runs, withEma = runs.filter(function (r) { return r.ema; });
    if (!withEma.length || !P.groups[0]) { return; }
    var items = [['8,5', 'running mean'], ['1,6', 'EMA, decay ' + withEma[0].ema.decay]];
    if (runs.some(function (r) { return r.snapshots; })) { items.push(['snap', 'snapshots (+ their mean)']); }
    var height = 8 + 18 * items.length, plot = axesFor(gd, 0)[1].length || 300;
    var g = el('g', {'class': 'averages-key', transform: 'translate(8,' + Math.max(8, plot - height - 8) + ')'},
               P.groups[0].layer);
    var box = el('rect', {x: '0', y: '0', width: '10', height: String(height), rx: '4',
                          fill: 'rgba(255,255,255,0.88)', stroke: '#999999', 'stroke-width': '1'}, g);
    var widest = 0;
    items.forEach(function (item, j) {
      var y = 14 + 18 * j;
      if (item[0] === 'snap') {
        el('circle', {cx: '20', cy: String(y), r: '5', fill: '#ffffff', stroke: '#333333', 'stroke-width': '2'}, g);
      } else {
        el('line', {x1: '6', y1: String(y), x2: '34', y2: String(y), stroke: '#333333', 'stroke-width': '3',
                    'stroke-dasharray': item[0], 'stroke-linecap': 'round'}, g);
      }
      var text = el('text', {x: '40', y: String(y + 4), 'font-size': P.bigText ? '16' : '12', fill: '#111111'}, g);
      text.textContent = item[1];
      widest = Math.max(widest, text.getComputedTextLength ? text.getComputedTextLength() : 120);
    });
    box.setAttribute('width', String(Math.ceil(widest) + 48));
  }

  function drawMap(gd, k) {
    var runs = P.payload.runs;
    var first = P.groups && P.groups[0];
    if (!first || !first.layer.isConnected || first.layer.getAttribute('data-token') !== String(P.payload.token)) {
      buildRuns(gd);
    }
    var projection = project(gd);
    placeStarts(gd);
    for (var i = 0; i < runs.length; i++) {
      var r = runs[i], p = projection.runs[i], n = Math.min(k, r.x.length - 1), parts = P.groups[i];
      if (!parts) { continue; }
      var axes = axesFor(gd, i);
      layer(gd, side() ? 'optiscape-runs optiscape-panel-' + i : 'optiscape-runs', axes[0], axes[1]);
      var from = NS.fadeFrom ? NS.fadeFrom(n) : 0;       // fade old steps: assets/player-fade.js
      parts.old.setAttribute('d', from > 0 ? p.d.substring(0, p.ends[from]) : '');
      parts.path.setAttribute('d', from > 0 ? 'M' + p.px[from].toFixed(1) + ',' + p.py[from].toFixed(1) +
                                              p.d.substring(p.ends[from], p.ends[n]) : p.d.substring(0, p.ends[n]));
      if (parts.polyak && p.polyak) {
        var m = Math.min(n - r.polyak.from, p.polyak.ends.length - 1);
        var d = m >= 1 ? p.polyak.d.substring(0, p.polyak.ends[m]) : '';
        parts.polyak.setAttribute('d', d);
        parts.polyakHalo.setAttribute('d', d);
        if (m >= 0) {                        // the averaged point itself: a square, apart from the run's circle
          parts.polyakPoint.removeAttribute('display');
          parts.polyakPoint.setAttribute('x', (p.polyak.px[m] - 5.5).toFixed(1));
          parts.polyakPoint.setAttribute('y', (p.polyak.py[m] - 5.5).toFixed(1));
        } else { parts.polyakPoint.setAttribute('display', 'none'); }
        if (parts.ema && p.ema) {
          var e = Math.min(n - r.ema.from, p.ema.ends.length - 1);
          var de = e >= 1 ? p.ema.d.substring(0, p.ema.ends[e]) : '';
          parts.ema.setAttribute('d', de);
          parts.emaHalo.setAttribute('d', de);
          if (e >= 0) {
            var ex = p.ema.px[e], ey = p.ema.py[e];
            parts.emaPoint.removeAttribute('display');
            parts.emaPoint.setAttribute('points', ex.toFixed(1) + ',' + (ey - 8).toFixed(1) + ' ' + (ex + 8).toFixed(1) +
              ',' + ey.toFixed(1) + ' ' + ex.toFixed(1) + ',' + (ey + 8).toFixed(1) + ' ' + (ex - 8).toFixed(1) + ',' +
              ey.toFixed(1));
          } else { parts.emaPoint.setAttribute('display', 'none'); }
        }
        if (parts.snapshots && p.snapshots) {
          var passed = 0;
          for (var q = 0; q < parts.snapshots.length; q++) {
            var shown = n >= r.snapshots.steps[q];
            passed += shown ? 1 : 0;
            parts.snapshots[q].setAttribute('display', shown ? 'inline' : 'none');
            parts.snapshots[q].setAttribute('cx', p.snapshots[q][0].toFixed(1));
            parts.snapshots[q].setAttribute('cy', p.snapshots[q][1].toFixed(1));
          }
          // the ensemble's mean (a cross) once every snapshot is taken
          var mx = p.snapshotMean[0], my = p.snapshotMean[1];
          parts.snapshotMean.setAttribute('display', passed === parts.snapshots.length ? 'inline' : 'none');
          parts.snapshotMean.setAttribute('d', 'M' + (mx - 7).toFixed(1) + ',' + my.toFixed(1) + 'H' + (mx + 7).toFixed(1) +
            'M' + mx.toFixed(1) + ',' + (my - 7).toFixed(1) + 'V' + (my + 7).toFixed(1));
        }
      }
      if (parts.arrows) {
        for (var j = 0; j < parts.arrows.length; j++) {
          var tips = r.arrows, t = Math.min(n, tips.x[j].length - 1);
          drawArrow(parts.arrows[j], p.px[n], p.py[n], axes[0].toPixel(tips.x[j][t]), axes[1].toPixel(tips.y[j][t]));
          parts.arrows[j].line.setAttribute('data-step', String(n));
        }
        if (parts.lookahead) {
          drawLookahead(parts.lookahead, r.lookahead, Math.min(n, r.lookahead.x.length - 1), axes[0], axes[1]);
        }
      }
      var marker = parts.marker;
      marker.setAttribute('cx', p.px[n].toFixed(1));
      marker.setAttribute('cy', p.py[n].toFixed(1));
      var diverged = r.diverged_at !== null && n >= r.diverged_at;
      marker.setAttribute('stroke', diverged ? '#b42318' : '#ffffff');
      marker.setAttribute('data-step', String(n));
    }
  }

  // The start marker of each layer (one per panel side by side), at payload.start in that panel's axes.
  function placeStarts(gd) {
    var start = P.payload.start;
    if (!start || !P.groups) { return; }
    P.groups.forEach(function (parts, i) {
      var marker = parts && parts.layer.querySelector('.start-marker');
      if (!marker) { return; }
      var axes = axesFor(gd, i);
      marker.setAttribute('cx', axes[0].toPixel(start[0]).toFixed(1));
      marker.setAttribute('cy', axes[1].toPixel(start[1]).toFixed(1));
    });
  }

  Object.assign(NS, {axesFor: axesFor, polyline: polyline, project: project, buildRuns: buildRuns,
                   drawMap: drawMap, placeStarts: placeStarts});
})();
