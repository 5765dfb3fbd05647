/*
 * optiscape player (layer): The player's own SVG layer over a plot area (absolutely positioned, its own compositing layer, so a
 * frame repaints the runs and never the contour underneath), the hook that redraws it after Plotly
 * re-plots, and projector mode's text size for Plotly's own text.
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
  var draw = use('draw'), el = use('el'), innerDiv = use('innerDiv'), lossDiv = use('lossDiv'),
      mapDiv = use('mapDiv');

  // ------------------------------------------------------------ the SVG layer over a plot area
  // Our own <svg>, absolutely positioned over the plot area and promoted to its own compositing layer,
  // so a frame repaints only the run paths, never the contour underneath.
  // box: [left, top, width, height] in px (default: the plot area of the axes xa, ya, else x/y)
  function layer(gd, className, xa, ya, box) {
    var container = gd.querySelector('.svg-container');
    xa = xa || plotly().axis(gd, 'xaxis'); ya = ya || plotly().axis(gd, 'yaxis');
    if (!container || !xa || !ya) { return null; }
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
    var numbers = box || [xa.offset, ya.offset, xa.length, ya.length];
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

  // Projector mode (large text): Plotly's own text follows the page's.
  // Annotations (the markers' key, panel titles) grow to 18 px at least and get their figure's own size back after.
  var annotationSizes = new WeakMap();
  function applyFont(gd) {
    // a log axis writes 10 with a superscript at about 7/8 of its size: 21 px keeps the exponent at 18 px
    var update = gd && window.Plotly ? plotly().textUpdate(gd, P.bigText ? 18 : 13, P.bigText ? 21 : null) : null;
    if (!update) { return; }
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

  Object.assign(NS, {layer: layer, hook: hook, applyFont: applyFont, projector: projector});
})();
