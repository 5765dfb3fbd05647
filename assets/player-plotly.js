/*
 * optiscape's one adapter to Plotly's internals (window.optiscapePlayer.plotly).
 *
 * Plotly's public API has no call for "where is data point (x, y) on screen" or "which data point is
 * under this pixel", which the player needs 60 times a second; those live on the full layout
 * (gd._fullLayout and its axes' c2p / p2l, _offset, _length). Every other asset goes through the few
 * functions here, so a Plotly upgrade that moves them is fixed in this file alone
 * (tests/test_web_architecture.py fails on those names anywhere else in assets/).
 *
 *   plotted(gd[, part])          Plotly has laid the graph out (its x axis, or `part`, e.g. 'scene')
 *   axis(gd, name)               {id, type, range, offset, length, toPixel(v), toData(px)} for 'xaxis',
 *                                'yaxis2', ...; pixels relative to the plot area; null when absent
 *   plotBox(gd)                  {l, t, w, h} of the whole plotting area (every subplot)
 *   size(gd)                     {width, height} Plotly laid the figure out at
 *   textUpdate(gd, size, logTicks) the relayout update (maybe empty) that gives Plotly's font `size` and a
 *                                log y axis's ticks `logTicks` (null: the font's)
 *   pointAt(drag, clientX, clientY)
 *                                the data point under a client position on a plot area (a .nsewdrag of
 *                                the map; side by side, that panel's axes), rounded to 1e-3 of the
 *                                view's span, or null outside it
 */
(function () {
  'use strict';

  var NS = window.optiscapePlayer = window.optiscapePlayer || {};

  function full(gd) { return gd && gd._fullLayout; }

  function plotted(gd, part) {
    var layout = full(gd);
    return !!(layout && layout[part || 'xaxis']);
  }

  function wrap(a) {
    return {
      id: a._id, type: a.type, range: a.range.slice(), offset: a._offset, length: a._length,
      toPixel: function (v) { return a.c2p(v); },
      toData: function (px) { return a.p2l(px); }
    };
  }

  function axis(gd, name) {
    var layout = full(gd), a = layout && layout[name];
    return a && a.c2p ? wrap(a) : null;
  }

  function plotBox(gd) {
    var layout = full(gd), s = layout && layout._size;
    return s && layout.xaxis ? {l: s.l, t: s.t, w: s.w, h: s.h} : null;
  }

  function size(gd) {
    var layout = full(gd);
    return layout ? {width: layout.width, height: layout.height} : null;
  }

  function textUpdate(gd, wanted, logTicks) {
    var layout = full(gd), update = {};
    if (!layout || !layout.font) { return null; }
    if (layout.font.size !== wanted) { update['font.size'] = wanted; }
    var ya = layout.yaxis;
    if (ya && ya.type === 'log' && (ya.tickfont && ya.tickfont.size) !== (logTicks || wanted)) {
      update['yaxis.tickfont.size'] = logTicks;
    }
    return update;
  }

  function pointAt(drag, clientX, clientY) {
    var gd = drag && drag.closest && drag.closest('.js-plotly-plot'), layout = full(gd);
    if (!layout) { return null; }
    var subplot = (layout._plots || {})[drag.getAttribute('data-subplot') || 'xy'];
    var xa = subplot ? subplot.xaxis : layout.xaxis, ya = subplot ? subplot.yaxis : layout.yaxis;
    var rect = drag.getBoundingClientRect(), px = clientX - rect.left, py = clientY - rect.top;
    if (!xa || !ya || px < 0 || py < 0 || px > rect.width || py > rect.height) { return null; }
    var x = xa.p2l(px), y = ya.p2l(py);
    var span = Math.max(Math.abs(xa.range[1] - xa.range[0]), Math.abs(ya.range[1] - ya.range[0]));
    var decimals = Math.max(0, Math.min(12, 3 - Math.floor(Math.log10(span))));
    var point = {x: Number(x.toFixed(decimals)), y: Number(y.toFixed(decimals))};
    return isFinite(point.x) && isFinite(point.y) ? point : null;
  }

  NS.plotly = {plotted: plotted, axis: axis, plotBox: plotBox, size: size, textUpdate: textUpdate, pointAt: pointAt};
})();
