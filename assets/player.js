/*
 * optiscape player: animates the runs in the browser, by step index.
 *
 * The server sends each run's full path once (payload.runs[i].x / .y / .loss,
 * length T+1). Each animation frame moves SVG elements that this script keeps
 * inside the map's plot area (per run: the path so far and the current point)
 * and the loss plot's cursor. Plotly is never asked to redraw during playback:
 * Plotly.restyle re-runs its whole pipeline (80-200 ms a frame measured here),
 * and its frame animation drops contour traces. The contour is never touched,
 * so it stays visible at every moment.
 *
 * Used by the Dash app (through the ClientsideFunction namespace in assets/clientside.js, which calls
 * window.optiscapePlayer: load, shareUrl, syncSlider, ...) and by the standalone HTML export (same
 * element ids).
 */
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var P = {
    payload: null, step: 0, playing: false, speed: 1,
    raf: 0, last: 0, carry: 0, drawn: -1, loaded: 0, opens: null,
    frames: 0, drawMs: 0, projection: null,
    threedEvery: 400      // ms between 3D marker updates while playing (a WebGL scene redraw is costly)
  };

  function noUpdate() {
    return (window.dash_clientside && window.dash_clientside.no_update) || null;
  }
  function mapDiv() { return document.querySelector('#map-graph .js-plotly-plot'); }
  function lossDiv() { return document.querySelector('#loss-graph .js-plotly-plot'); }
  function maxStep() { return P.payload ? P.payload.steps : 0; }
  function ready(gd) {
    return !!(gd && gd._fullLayout && gd._fullLayout.xaxis && gd.layout && gd.layout.meta && P.payload &&
              gd.layout.meta.token === P.payload.map_token);
  }
  function fmt(v) {
    if (typeof v !== 'number') { return String(v); }
    return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) { node.setAttribute(key, attrs[key]); }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // ------------------------------------------------------------ the SVG layer over a plot area
  // Our own <svg>, absolutely positioned over the plot area and promoted to its own compositing layer,
  // so a frame repaints only the run paths, never the contour underneath.
  // box: [left, top, width, height] in px (default: the plot area of the axes xa, ya, else x/y)
  function layer(gd, className, xa, ya, box) {
    var container = gd.querySelector('.svg-container');
    var full = gd._fullLayout;
    if (!container || !full || !full.xaxis || !full.yaxis) { return null; }
    xa = xa || full.xaxis; ya = ya || full.yaxis;
    var svg = container.querySelector('svg.' + className.split(' ').join('.'));
    if (!svg) {
      svg = el('svg', {'class': className});
      svg.style.position = 'absolute';
      svg.style.pointerEvents = 'none';
      svg.style.overflow = 'hidden';
      svg.style.willChange = 'transform';
      el('g', {}, svg);
    }
    var layers = container.querySelectorAll('svg.main-svg');
    var top = layers.length > 1 ? layers[layers.length - 1] : null;     // hover labels stay above us
    if (svg.parentNode !== container || (top && svg.nextSibling !== top)) { container.insertBefore(svg, top); }
    var numbers = box || [xa._offset, ya._offset, xa._length, ya._length];
    box = numbers.map(function (v) { return Math.round(v) + 'px'; });
    if (svg.style.left !== box[0]) { svg.style.left = box[0]; }
    if (svg.style.top !== box[1]) { svg.style.top = box[1]; }
    if (svg.style.width !== box[2]) { svg.style.width = box[2]; svg.setAttribute('width', String(Math.round(numbers[2]))); }
    if (svg.style.height !== box[3]) { svg.style.height = box[3]; svg.setAttribute('height', String(Math.round(numbers[3]))); }
    return svg.firstChild;
  }

  function hook(gd) {
    if (gd && !gd._optiscapeHooked && gd.on) {
      gd._optiscapeHooked = true;
      // Plotly rebuilt or zoomed the plot: re-project and redraw our layer on top
      gd.on('plotly_afterplot', function () {
        P.projection = null;
        applyFont(gd);
        requestAnimationFrame(function () { draw(true); });
      });
    }
  }

  // Projector mode (large text): Plotly's own text follows the page's, annotations (the markers' key,
  // panel titles) included: each grows to 18 px at least and gets its figure's own size back after.
  var annotationSizes = new WeakMap();
  function applyFont(gd) {
    if (!gd || !gd._fullLayout || !gd._fullLayout.font || !window.Plotly) { return; }
    var wanted = P.bigText ? 18 : 13;
    var update = {};
    if (gd._fullLayout.font.size !== wanted) { update['font.size'] = wanted; }
    // a log axis writes 10 with a superscript at about 7/8 of its size: 21 px keeps the exponent at 18 px
    var ya = gd._fullLayout.yaxis;
    if (ya && ya.type === 'log') {
      var ticks = P.bigText ? 21 : null;
      if ((ya.tickfont && ya.tickfont.size) !== (ticks || wanted)) { update['yaxis.tickfont.size'] = ticks; }
    }
    ((gd.layout && gd.layout.annotations) || []).forEach(function (note, i) {
      if (!annotationSizes.has(note)) { annotationSizes.set(note, (note.font && note.font.size) || null); }
      var own = annotationSizes.get(note), size = P.bigText ? Math.max(18, own || 0) : own;
      if (((note.font && note.font.size) || null) !== size) { update['annotations[' + i + '].font.size'] = size; }
    });
    if (Object.keys(update).length) { window.Plotly.relayout(gd, update); }
  }

  function projector(on) {
    P.bigText = !!on;
    [mapDiv(), lossDiv(), innerDiv()].forEach(applyFont);
    return P.bigText;
  }

  // Pixel paths of every run for the current axes, cached until the payload or the axes change.
  // Side by side: run i lives in panel i (axes x{i+1}, y{i+1}); overlay: every run on x, y.
  function side() { return !!(P.payload && P.payload.view_mode === 'side'); }
  function axesFor(gd, i) {
    var full = gd._fullLayout, suffix = side() && i > 0 ? String(i + 1) : '';
    return [full['xaxis' + suffix] || full.xaxis, full['yaxis' + suffix] || full.yaxis];
  }

  function polyline(xa, ya, xs, ys) {
    var n = xs.length, px = new Float64Array(n), py = new Float64Array(n), ends = new Int32Array(n), d = '';
    for (var i = 0; i < n; i++) {
      px[i] = Math.max(-1e5, Math.min(1e5, xa.c2p(xs[i])));
      py[i] = Math.max(-1e5, Math.min(1e5, ya.c2p(ys[i])));
      d += (i ? 'L' : 'M') + px[i].toFixed(1) + ',' + py[i].toFixed(1);
      ends[i] = d.length;
    }
    return {px: px, py: py, d: d, ends: ends};
  }

  function project(gd) {
    var xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    var key = P.payload.token + ':' + xa.range.join(',') + ':' + ya.range.join(',') + ':' + xa._length + ':' + ya._length;
    if (P.projection && P.projection.key === key) { return P.projection; }
    var runs = P.payload.runs.map(function (r, i) {
      var axes = axesFor(gd, i), p = polyline(axes[0], axes[1], r.x, r.y);
      if (r.polyak) { p.polyak = polyline(axes[0], axes[1], r.polyak.x, r.polyak.y); }
      if (r.ema) { p.ema = polyline(axes[0], axes[1], r.ema.x, r.ema.y); }
      if (r.snapshots) {
        p.snapshots = r.snapshots.x.map(function (x, j) { return [axes[0].c2p(x), axes[1].c2p(r.snapshots.y[j])]; });
        p.snapshotMean = [axes[0].c2p(r.snapshots.mean[0]), axes[1].c2p(r.snapshots.mean[1])];
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
      parts.path = el('path', {'class': 'run-path', fill: 'none', stroke: r.color, 'stroke-width': '2.5',
                               'stroke-linejoin': 'round', 'stroke-linecap': 'round'}, run);
      if (r.dash) { parts.path.setAttribute('stroke-dasharray', r.dash); }   // a second run of one colour
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
    var height = 8 + 18 * items.length, plot = axesFor(gd, 0)[1]._length || 300;
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

  // Nesterov's look-ahead (payload run.lookahead): the lecture's iterate (a small open circle), a dashed
  // segment rho*v to the look-ahead point (a ring), where the gradient is taken.
  function lookaheadParts(parent, colour) {
    var g = el('g', {'class': 'run-lookahead'}, parent);
    var line = el('line', {'class': 'lookahead-segment', stroke: '#6a3d9a', 'stroke-width': '2.5',
                           'stroke-dasharray': '5,4', 'stroke-linecap': 'round'}, g);
    var origin = el('circle', {'class': 'lookahead-origin', r: '4.5', fill: '#ffffff', stroke: colour,
                               'stroke-width': '2.5'}, g);
    el('title', {}, origin).textContent = 'the lecture\u2019s iterate x_t';
    var point = el('circle', {'class': 'lookahead-point', r: '10', fill: 'none', stroke: '#6a3d9a',
                              'stroke-width': '2'}, g);
    el('title', {}, point).textContent = 'look-ahead x_t + \u03c1v_t: the gradient is taken here';
    return {group: g, line: line, origin: origin, point: point};
  }

  function drawLookahead(parts, look, t, xa, ya) {
    var ox = xa.c2p(look.ox[t]), oy = ya.c2p(look.oy[t]), x = xa.c2p(look.x[t]), y = ya.c2p(look.y[t]);
    if (!isFinite(ox + oy + x + y)) { parts.group.setAttribute('display', 'none'); return; }
    parts.group.removeAttribute('display');
    parts.group.setAttribute('data-step', String(t));
    parts.line.setAttribute('x1', ox.toFixed(1)); parts.line.setAttribute('y1', oy.toFixed(1));
    parts.line.setAttribute('x2', x.toFixed(1)); parts.line.setAttribute('y2', y.toFixed(1));
    parts.origin.setAttribute('cx', ox.toFixed(1)); parts.origin.setAttribute('cy', oy.toFixed(1));
    parts.point.setAttribute('cx', x.toFixed(1)); parts.point.setAttribute('cy', y.toFixed(1));
  }

  function drawArrow(arrow, x0, y0, x1, y1) {
    var dx = x1 - x0, dy = y1 - y0, length = Math.sqrt(dx * dx + dy * dy);
    if (!(length > 1.5) || !isFinite(length)) {
      arrow.line.setAttribute('display', 'none'); arrow.head.setAttribute('display', 'none'); return;
    }
    var ux = dx / length, uy = dy / length, size = Math.min(11, 0.6 * length + 4);
    var bx = x1 - ux * size, by = y1 - uy * size;         // the head's base: the shaft ends there
    arrow.line.removeAttribute('display'); arrow.head.removeAttribute('display');
    arrow.line.setAttribute('x1', x0.toFixed(1)); arrow.line.setAttribute('y1', y0.toFixed(1));
    arrow.line.setAttribute('x2', bx.toFixed(1)); arrow.line.setAttribute('y2', by.toFixed(1));
    arrow.head.setAttribute('points', x1.toFixed(1) + ',' + y1.toFixed(1) + ' ' +
      (bx - uy * size * 0.5).toFixed(1) + ',' + (by + ux * size * 0.5).toFixed(1) + ' ' +
      (bx + uy * size * 0.5).toFixed(1) + ',' + (by - ux * size * 0.5).toFixed(1));
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
      parts.path.setAttribute('d', p.d.substring(0, p.ends[n]));
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
          drawArrow(parts.arrows[j], p.px[n], p.py[n], axes[0].c2p(tips.x[j][t]), axes[1].c2p(tips.y[j][t]));
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
      marker.setAttribute('cx', axes[0].c2p(start[0]).toFixed(1));
      marker.setAttribute('cy', axes[1].c2p(start[1]).toFixed(1));
    });
  }

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
      if (!r.visible || axes[0]._id + axes[1]._id !== subplot) { return; }
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
    label.style.left = Math.round(rect.left - box.left + projectionPoint(gd, found).x + 12) + 'px';
    label.style.top = Math.round(rect.top - box.top + projectionPoint(gd, found).y + 12) + 'px';
    label.style.display = 'block';
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

  function drawLoss(k) {
    var lg = lossDiv();
    if (!lg || !lg._fullLayout || !lg._fullLayout.xaxis || !lg.data) { return; }
    var g = layer(lg, 'optiscape-cursor');
    if (!g) { return; }
    var xa = lg._fullLayout.xaxis, ya = lg._fullLayout.yaxis;
    if (!g.firstChild) { el('line', {'class': 'cursor', stroke: '#444', 'stroke-width': '1.5', 'stroke-dasharray': '3,3'}, g); }
    var x = xa.c2p(k).toFixed(1);
    var line = g.firstChild;
    var byEvals = !!(P.payload.runs[0] && P.payload.runs[0].loss_x);
    line.setAttribute('display', byEvals ? 'none' : 'inline');     // runs sit at different evaluation counts
    line.setAttribute('x1', x); line.setAttribute('x2', x);
    line.setAttribute('y1', '0'); line.setAttribute('y2', String(ya._length));
    line.setAttribute('data-step', String(k));
    var runs = P.payload.runs;
    for (var i = 0; i < runs.length && i < lg.data.length; i++) {
      var dot = g.childNodes[i + 1];
      if (!dot) { dot = el('circle', {'class': 'loss-dot', r: '4', stroke: '#fff', 'stroke-width': '1.5'}, g); }
      var ys = lg.data[i].y, n = Math.min(k, ys.length - 1), y = ya.c2p(ys[n]);
      dot.setAttribute('fill', runs[i].color);
      dot.setAttribute('cx', runs[i].loss_x ? xa.c2p(runs[i].loss_x[Math.min(n, runs[i].loss_x.length - 1)]).toFixed(1) : x);
      dot.setAttribute('cy', isFinite(y) ? y.toFixed(1) : '-100');
      dot.setAttribute('display', runs[i].visible ? 'inline' : 'none');
    }
    while (g.childNodes.length > runs.length + 1) { g.removeChild(g.lastChild); }
  }

  // ------------------------------------------------------------ inner-state panel: cursor and read-out
  function innerDiv() { return document.querySelector('#inner-graph .js-plotly-plot'); }

  function at(values, i) { return values && i >= 0 && i < values.length ? (values[i] === 0 ? '0' : fmt(values[i])) : '\u2014'; }

  function buildReadout(holder) {
    while (holder.firstChild) { holder.removeChild(holder.firstChild); }
    P.readout = (P.inner || []).map(function (run) {
      var row = document.createElement('div');
      row.className = 'inner-row';
      var name = document.createElement('span');
      name.className = 'inner-name'; name.style.color = run.text_color || run.color; name.textContent = run.name;
      var values = document.createElement('span');
      values.className = 'inner-values';
      var cell = document.createElement('span');
      cell.className = 'inner-cell';
      cell.appendChild(values);
      var out = {values: values, bars: null};
      if (run.eff_x) {                     // per-axis effective rate as two bars on a log scale
        var bars = document.createElement('span');
        bars.className = 'eff-bars';
        bars.title = holder.getAttribute('data-bars-title') || 'effective learning rate per axis (log scale over the run)';
        out.bars = ['x', 'y'].map(function (axis) {
          var line = document.createElement('span'); line.className = 'eff-bar-row';
          var label = document.createElement('span'); label.className = 'eff-axis'; label.textContent = axis;
          var track = document.createElement('span'); track.className = 'eff-track';
          var bar = document.createElement('span'); bar.className = 'eff-bar eff-bar-' + axis;
          bar.style.backgroundColor = run.color;
          track.appendChild(bar); line.appendChild(label); line.appendChild(track); bars.appendChild(line);
          return bar;
        });
        var all = run.eff_x.concat(run.eff_y).filter(function (v) { return v > 0 && isFinite(v); });
        out.low = Math.log10(Math.min.apply(null, all.length ? all : [1]));
        out.high = Math.log10(Math.max.apply(null, all.length ? all : [1]));
        cell.appendChild(bars);
      }
      row.appendChild(name); row.appendChild(cell);
      holder.appendChild(row);
      return out;
    });
  }

  function barWidth(out, value) {
    if (!(value > 0) || !isFinite(value)) { return '0%'; }
    var span = out.high - out.low;
    var share = span > 1e-9 ? (Math.log10(value) - out.low) / span : 1;
    return (8 + 92 * Math.max(0, Math.min(1, share))).toFixed(1) + '%';
  }

  function drawInner(k) {
    var holder = document.getElementById('inner-readout');
    if (!holder || !P.inner || !holder.offsetParent) { return; }
    if (!P.readout || holder.childNodes.length !== P.inner.length) { buildReadout(holder); }
    P.inner.forEach(function (run, i) {
      var u = k - 1;                       // update k produced point k
      var word = function (name, english) { return holder.getAttribute('data-' + name) || english; };  // the page's language
      var text = word('step', 'step') + ' ' + k + ':  |\u2207f| = ' + at(run.grad_norm, k) + '   ' +
                 word('step-length', 'step length') + ' = ' + at(run.step_length, u) + '   lr = ' + at(run.lr, u);
      if (run.eff_x) { text += '   ' + word('effective', 'effective lr') + ': x ' + at(run.eff_x, u) + ', y ' + at(run.eff_y, u); }
      if (run.bc1) { text += '   1\u2212\u03b2\u2081\u1d57 = ' + at(run.bc1, u) + ', 1\u2212\u03b2\u2082\u1d57 = ' + at(run.bc2, u); }
      P.readout[i].values.textContent = text;
      if (P.readout[i].bars && u >= 0) {
        P.readout[i].bars[0].style.width = barWidth(P.readout[i], run.eff_x[Math.min(u, run.eff_x.length - 1)]);
        P.readout[i].bars[1].style.width = barWidth(P.readout[i], run.eff_y[Math.min(u, run.eff_y.length - 1)]);
      }
    });
    var gd = innerDiv();
    if (!gd || !gd._fullLayout || !gd._fullLayout.xaxis || !gd._fullLayout._size) { return; }
    hook(gd);
    var xa = gd._fullLayout.xaxis, size = gd._fullLayout._size;
    var g = layer(gd, 'optiscape-inner-cursor', xa, gd._fullLayout.yaxis, [xa._offset, size.t, xa._length, size.h]);
    if (!g) { return; }
    if (!g.firstChild) { el('line', {'class': 'cursor', stroke: '#222', 'stroke-width': '1.5', 'stroke-dasharray': '4,3'}, g); }
    var x = xa.c2p(k).toFixed(1), line = g.firstChild;
    line.setAttribute('x1', x); line.setAttribute('x2', x);
    line.setAttribute('y1', '0'); line.setAttribute('y2', String(Math.round(size.h)));
    line.setAttribute('data-step', String(k));
  }

  function inner(data) {
    P.inner = Array.isArray(data) ? data : null;
    P.readout = null;
    requestAnimationFrame(function () { draw(true); });
    return P.inner ? P.inner.length : 0;
  }

  // ------------------------------------------------------------ 3D view: the markers move (throttled); the paths stay whole
  function threedDiv() { return document.querySelector('#threed-graph .js-plotly-plot'); }

  function drawThreeD(k, force) {
    var gd = threedDiv();
    if (!gd || !gd.layout || !gd.layout.meta || !gd.layout.meta.run_traces || !gd.offsetParent || !window.Plotly) { return; }
    if (!gd._optiscape3d && gd.on) {
      gd._optiscape3d = true;           // a new 3D figure arrived: show the current step on it
      gd.on('plotly_afterplot', function () {
        if (P.threedLayout !== gd.layout) { requestAnimationFrame(function () { drawThreeD(P.step, true); }); }
      });
    }
    var now = performance.now();
    if (!force && (P.threedStep === k || now - (P.threedAt || 0) < P.threedEvery)) { return; }
    if (P.threedLayout !== gd.layout) {               // a new figure: keep its full paths
      P.threedLayout = gd.layout;
      P.threedPaths = gd.layout.meta.run_traces.map(function (pair) {
        var d = gd.data[pair[0]];
        return d ? {x: d.x.slice(), y: d.y.slice(), z: d.z.slice()} : null;
      });
    }
    var update = {x: [], y: [], z: []}, indices = [];
    gd.layout.meta.run_traces.forEach(function (pair, i) {
      var full = P.threedPaths[i];
      if (!full) { return; }
      var n = Math.min(k, full.x.length - 1);
      update.x.push([full.x[n]]);
      update.y.push([full.y[n]]);
      update.z.push([full.z[n]]);
      indices.push(pair[1]);
    });
    if (!indices.length) { return; }
    P.threedStep = k; P.threedAt = now;
    window.Plotly.restyle(gd, update, indices);
    // at least 400 ms apart (software WebGL: 30 frames/s on the map, not 14), longer if the call itself is slow
    P.threedEvery = Math.min(1000, Math.max(400, 6 * (performance.now() - now)));
    gd.setAttribute('data-step', String(k));
  }

  function threed() {
    var tries = 0;
    (function wait() {
      var gd = threedDiv();
      if (gd && gd.layout && gd.layout.meta && gd._fullLayout && gd.offsetParent) {
        // a WebGL surface first plotted while its card was hidden (display: none) stays blank: plot it again
        if (gd._optiscapeShown !== gd.layout && window.Plotly) {
          var layout = gd.layout;
          window.Plotly.newPlot(gd, gd.data, layout, {displaylogo: false}).then(function () {
            gd._optiscapeShown = gd.layout; drawThreeD(P.step, true);
          });
          gd._optiscapeShown = layout;
          return;
        }
        drawThreeD(P.step, true);
      }
      else if (tries++ < 240) { requestAnimationFrame(wait); }
    })();
    return P.step;
  }

  // ------------------------------------------------------------ drawing
  function draw(force) {
    var gd = mapDiv();
    if (!ready(gd)) { return false; }
    hook(gd);
    hook(lossDiv());
    var k = P.step;
    if (!force && P.drawn === k) { return true; }
    var t0 = performance.now();
    drawMap(gd, k);
    if (hoverAt) { showHover(); }
    drawLoss(k);
    drawInner(k);
    drawThreeD(k, force || !P.playing);
    P.drawn = k;
    P.frames += 1;
    P.drawMs += performance.now() - t0;
    updateControls();
    return true;
  }

  function whenReady(fn) {
    var token = P.payload && P.payload.token, tries = 0;
    (function wait() {
      if (!P.payload || P.payload.token !== token) { return; }
      if (ready(mapDiv())) { fn(); } else if (tries++ < 900) { requestAnimationFrame(wait); }
    })();
  }

  // ------------------------------------------------------------ playback
  function stepsPerSecond() { return Math.max(30, maxStep() / 10) * P.speed; }

  function tick(now) {
    P.raf = 0;
    if (!P.playing) { return; }
    if (P.last) { P.carry += (now - P.last) / 1000 * stepsPerSecond(); }
    P.last = now;
    var advance = Math.floor(P.carry);
    if (advance > 0) {
      P.carry -= advance;
      P.step = Math.min(P.step + advance, maxStep());
    }
    draw(false);
    if (P.step >= maxStep()) { pause(); return; }
    P.raf = requestAnimationFrame(tick);
  }

  function play() {
    if (!P.payload) { return; }
    if (P.step >= maxStep()) { P.step = 0; }
    P.playing = true; P.last = 0; P.carry = 0;
    if (!P.raf) { P.raf = requestAnimationFrame(tick); }
    updateControls();
  }

  function pause() {
    P.playing = false;
    if (P.raf) { cancelAnimationFrame(P.raf); }
    P.raf = 0;
    if (P.payload) { drawThreeD(P.step, true); }
    updateControls();
  }

  function seek(step) {
    if (!P.payload) { return; }
    P.step = Math.max(0, Math.min(maxStep(), Math.round(step)));
    draw(false);
    updateControls();
  }

  function act(action, count) {
    count = count || 1;
    P.userActed = true;
    if (action === 'toggle') { if (P.playing) { pause(); } else { play(); } }
    else if (action === 'play') { play(); }
    else if (action === 'pause') { pause(); }
    else if (action === 'back') { pause(); seek(P.step - count); }
    else if (action === 'forward') { pause(); seek(P.step + count); }
    else if (action === 'restart') { var was = P.playing; pause(); seek(0); if (was) { play(); } }
  }

  // ------------------------------------------------------------ controls
  function scrub() {
    var holder = document.getElementById('scrub-holder');
    if (!holder) { return null; }
    var input = holder.querySelector('input.scrub');
    if (!input) {
      input = document.createElement('input');
      input.type = 'range'; input.className = 'scrub'; input.id = 'scrub';
      input.min = '0'; input.step = '1'; input.value = '0';
      input.setAttribute('aria-label', 'Step');
      holder.appendChild(input);
    }
    return input;
  }

  function updateControls() {
    var input = scrub();
    if (input) {
      if (String(maxStep()) !== input.max) { input.max = String(maxStep()); }
      if (String(P.step) !== input.value) { input.value = String(P.step); }
    }
    var readout = document.getElementById('step-readout');
    if (readout) {                         // data-template: the page's language ("step {step} / {steps}")
      var template = readout.getAttribute('data-template') || 'step {step} / {steps}';
      readout.textContent = template.replace('{step}', String(P.step)).replace('{steps}', String(maxStep()));
    }
    var button = document.getElementById('play-button');
    if (button) {
      button.textContent = P.playing ? '\u25AE\u25AE' : '\u25B6';
      button.setAttribute('aria-pressed', P.playing ? 'true' : 'false');
    }
    var bar = document.getElementById('player-bar');
    if (bar) { bar.setAttribute('data-playing', P.playing ? 'true' : 'false'); bar.setAttribute('data-step', String(P.step)); }
  }

  function isTyping(target) {
    if (!target || !target.closest) { return false; }
    return !!target.closest('input, textarea, select, button, [contenteditable], [role=slider], [role=combobox], ' +
                            '[role=listbox], .dash-dropdown');
  }

  document.addEventListener('click', function (event) {
    var target = event.target && event.target.closest && event.target.closest('[data-player]');
    if (target) { event.preventDefault(); act(target.getAttribute('data-player')); }
  });
  document.addEventListener('input', function (event) {
    if (event.target && event.target.id === 'scrub') {
      var wanted = Number(event.target.value);      // read before pause() re-syncs the bar
      P.userActed = true; pause(); seek(wanted);
    }
  });
  document.addEventListener('change', function (event) {
    if (event.target && event.target.id === 'speed-select') {
      var speed = Number(event.target.value);
      if (speed > 0 && isFinite(speed)) { P.speed = speed; }
    }
  });
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target) || !P.payload) { return; }
    var jump = event.shiftKey ? 10 : 1;
    if (event.key === ' ' || event.code === 'Space') { event.preventDefault(); act('toggle'); }
    else if (event.key === 'ArrowRight') { event.preventDefault(); act('forward', jump); }
    else if (event.key === 'ArrowLeft') { event.preventDefault(); act('back', jump); }
    else if (event.key === 'Home') { event.preventDefault(); act('restart'); }
  });

  // A click (not a drag) on the map's plot area sets the start point of every run.
  var press = null;
  document.addEventListener('mousedown', function (event) {
    var gd = mapDiv();
    var drag = gd && event.target && event.target.closest && event.target.closest('.nsewdrag');
    press = (drag && gd.contains(drag)) ? {x: event.clientX, y: event.clientY, t: Date.now(), el: drag} : null;
  }, true);
  document.addEventListener('mouseup', function (event) {
    var start = press; press = null;
    if (!start || Math.abs(event.clientX - start.x) > 4 || Math.abs(event.clientY - start.y) > 4 ||
        Date.now() - start.t > 600) { return; }
    var gd = mapDiv();
    if (!gd || !gd._fullLayout || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
    var xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, rect = start.el.getBoundingClientRect();
    var x = xa.p2l(event.clientX - rect.left), y = ya.p2l(event.clientY - rect.top);
    var span = Math.max(Math.abs(xa.range[1] - xa.range[0]), Math.abs(ya.range[1] - ya.range[0]));
    var decimals = Math.max(0, Math.min(12, 3 - Math.floor(Math.log10(span))));
    var point = {x: Number(x.toFixed(decimals)), y: Number(y.toFixed(decimals)), t: Date.now()};
    if (isFinite(point.x) && isFinite(point.y)) { window.dash_clientside.set_props('map-click', {data: point}); }
  }, true);

  // ------------------------------------------------------------ entry points
  function load(payload) {
    if (!payload || !payload.runs) { return noUpdate(); }
    dragAnswered();
    var first = !P.loaded, wasPlaying = P.playing;
    // a scenario picture (payload.opens, webapp/panels/scenario/picture.py) opens paused at step 0, once
    var opens = payload.opens || null, hold = !!opens && opens !== P.opens;
    P.opens = opens;
    pause();
    P.payload = payload;
    P.loaded += 1;
    P.step = (hold || wasPlaying) ? 0 : Math.min(P.step, payload.steps);
    P.drawn = -1;
    updateControls();
    whenReady(function () {
      draw(true);
      // no autoplay on first load under reduced motion (the OS setting or the footer's switch, assets/a11y.js)
      var calm = window.optiscapeReducedMotion && window.optiscapeReducedMotion();
      if (!hold && ((first && !P.userActed && !calm) || wasPlaying)) { play(); }
    });
    return payload.token;
  }

  function shareUrl(query) {
    if (typeof query !== 'string') { return noUpdate(); }
    try { window.history.replaceState(window.history.state, '', window.location.pathname + query); } catch (e) { /* file:// */ }
    return window.location.href;
  }

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

  function runNames(payload, shown) {
    if (!payload || !payload.runs || !Array.isArray(shown) || shown.length !== payload.runs.length) { return noUpdate(); }
    var names = payload.runs.map(function (r) { return r.name; });
    return names.every(function (name, i) { return name === shown[i]; }) ? noUpdate() : names;
  }

  function stats() {
    return {frames: P.frames, drawMs: P.drawMs, step: P.step, playing: P.playing, steps: maxStep(),
            token: P.payload ? P.payload.token : null, previews: {sent: preview.sent, answered: preview.answered}};
  }

  var api = {payload: function () { return P.payload; }, inner: inner, threed: threed, projector: projector, runNames: runNames, load: load, shareUrl: shareUrl, syncSlider: syncSlider, act: act, seek: seek, stats: stats,
             play: play, pause: pause};
  window.optiscapePlayer = api;

  // The standalone HTML export (webapp/export.py) carries its figures and payload as JSON: draw and play.
  var embedded = document.getElementById('optiscape-export');
  if (embedded && window.Plotly) {
    var page = JSON.parse(embedded.textContent);
    var config = {displaylogo: false, responsive: true};
    Promise.all([
      window.Plotly.newPlot('map-plot', page.map.data, page.map.layout, config),
      window.Plotly.newPlot('loss-plot', page.loss.data, page.loss.layout, config)
    ]).then(function () { load(page.payload); });
  }
})();
