/*
 * optiscape player (cards): The cursors beside the map: the loss plot's step line and dots, the inner-state card's cursor and
 * read-out, and the 3D view's markers (moved at most every threedEvery ms while playing: a WebGL
 * scene redraw is costly).
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
  var draw = use('draw'), el = use('el'), fmt = use('fmt'), hook = use('hook'), innerDiv = use('innerDiv'),
      layer = use('layer'), lossDiv = use('lossDiv'), threedDiv = use('threedDiv');

  function drawLoss(k) {
    var lg = lossDiv();
    if (!lg || !plotly().plotted(lg) || !lg.data) { return; }
    var g = layer(lg, 'optiscape-cursor');
    if (!g) { return; }
    var xa = plotly().axis(lg, 'xaxis'), ya = plotly().axis(lg, 'yaxis');
    if (!g.firstChild) { el('line', {'class': 'cursor', stroke: '#444', 'stroke-width': '1.5', 'stroke-dasharray': '3,3'}, g); }
    var x = xa.toPixel(k).toFixed(1);
    var line = g.firstChild;
    var byEvals = !!(P.payload.runs[0] && P.payload.runs[0].loss_x);
    line.setAttribute('display', byEvals ? 'none' : 'inline');     // runs sit at different evaluation counts
    line.setAttribute('x1', x); line.setAttribute('x2', x);
    line.setAttribute('y1', '0'); line.setAttribute('y2', String(ya.length));
    line.setAttribute('data-step', String(k));
    var runs = P.payload.runs;
    for (var i = 0; i < runs.length && i < lg.data.length; i++) {
      var dot = g.childNodes[i + 1];
      if (!dot) { dot = el('circle', {'class': 'loss-dot', r: '4', stroke: '#fff', 'stroke-width': '1.5'}, g); }
      var ys = lg.data[i].y, n = Math.min(k, ys.length - 1), y = ya.toPixel(ys[n]);
      dot.setAttribute('fill', runs[i].color);
      dot.setAttribute('cx', runs[i].loss_x ? xa.toPixel(runs[i].loss_x[Math.min(n, runs[i].loss_x.length - 1)]).toFixed(1) : x);
      dot.setAttribute('cy', isFinite(y) ? y.toFixed(1) : '-100');
      dot.setAttribute('display', runs[i].visible ? 'inline' : 'none');
    }
    while (g.childNodes.length > runs.length + 1) { g.removeChild(g.lastChild); }
  }

  // ------------------------------------------------------------ inner-state panel: cursor and read-out

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
    var size = gd && plotly().plotBox(gd);
    if (!size) { return; }
    hook(gd);
    var xa = plotly().axis(gd, 'xaxis');
    var g = layer(gd, 'optiscape-inner-cursor', xa, plotly().axis(gd, 'yaxis'), [xa.offset, size.t, xa.length, size.h]);
    if (!g) { return; }
    if (!g.firstChild) { el('line', {'class': 'cursor', stroke: '#222', 'stroke-width': '1.5', 'stroke-dasharray': '4,3'}, g); }
    var x = xa.toPixel(k).toFixed(1), line = g.firstChild;
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
      if (gd && gd.layout && gd.layout.meta && plotly().plotted(gd, 'scene') && gd.offsetParent) {
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

  Object.assign(NS, {drawLoss: drawLoss, at: at, buildReadout: buildReadout, barWidth: barWidth,
                   drawInner: drawInner, inner: inner, drawThreeD: drawThreeD, threed: threed});
})();
