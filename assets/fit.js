/*
 * optiscape: keep things inside their cards.
 *
 * 1. Typeset math (MathJax containers in .formula and .math) wider than its box is
 *    scaled down to fit, to at most MIN_SCALE; what is still wider scrolls inside the
 *    box (overflow-x: auto in style.css) with a visible edge fade, never clipped silently.
 * 2. The map and loss graphs follow their container's size at once. Plotly's
 *    "responsive" mode listens to window resizes only, and a 100 ms debounce later;
 *    a card whose CSS height changes (projector mode, a viewport resize, a view
 *    toggle) left a dead band under the plot. A ResizeObserver on each graph's
 *    container re-lays the plot out in the same frame.
 */
(function () {
  'use strict';

  var MIN_SCALE = 0.5;
  var MATH_HOSTS = '.formula, .math';
  var GRAPHS = ['map-graph', 'loss-graph'];

  // ------------------------------------------------------------ math that fits its box
  function fitMath(host) {
    var box = host.querySelector('mjx-container');
    var content = box && box.querySelector('mjx-math, svg');     // CHTML or SVG output
    if (!content) { return; }
    box.style.fontSize = '';
    var room = host.clientWidth, scale = 1;
    // SVG sizes are rounded in ex, so the width is not exactly proportional: correct a few times
    for (var pass = 0; pass < 6 && room > 0; pass++) {
      var width = content.getBoundingClientRect().width;
      if (width <= room || scale <= MIN_SCALE) { break; }
      scale = Math.max(MIN_SCALE, scale * 0.98 * room / width);
      box.style.fontSize = (100 * scale).toFixed(1) + '%';
    }
    host.classList.toggle('overflowing', content.getBoundingClientRect().width > room + 1);
  }

  var pending = false;
  function fitAll() {
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      document.querySelectorAll(MATH_HOSTS).forEach(fitMath);
    });
  }

  // ------------------------------------------------------------ graphs that fill their container
  function relayoutToContainer(holder) {
    var gd = holder.querySelector('.js-plotly-plot');
    var laid = gd && window.optiscapePlayer && window.optiscapePlayer.plotly.size(gd);   // the one Plotly adapter
    if (!laid || !gd.layout || !window.Plotly) { return; }
    var width = Math.round(gd.clientWidth), height = Math.round(gd.clientHeight);
    if (!width || !height) { return; }
    if (Math.abs(laid.height - height) > 1 || Math.abs(laid.width - width) > 1) {
      delete gd.layout.width; delete gd.layout.height;      // as Plotly.Plots.resize does (no debounce)
      window.Plotly.relayout(gd, {autosize: true});
    }
  }

  var sizes = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { relayoutToContainer(entry.target); });
    fitAll();
  }) : null;
  var watched = [];

  function watch() {
    if (!sizes) { return; }
    GRAPHS.forEach(function (id) {
      var holder = document.getElementById(id);
      if (holder && watched.indexOf(holder) < 0) { watched.push(holder); sizes.observe(holder); }
    });
    document.querySelectorAll(MATH_HOSTS).forEach(function (host) {
      if (watched.indexOf(host) < 0) { watched.push(host); sizes.observe(host); }
    });
    watched = watched.filter(function (node) { return node.isConnected; });
  }

  // MathJax typesets after Dash mounts a Markdown; run cards come and go: watch the DOM for both
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var target = records[i].target;
      if (target.closest && target.closest('mjx-container, .math, .formula, #runs-panel, #surface-formula, #map-graph')) {
        watch();
        fitAll();
        return;
      }
      var added = records[i].addedNodes;
      for (var j = 0; j < added.length; j++) {
        if (added[j].nodeType === 1 && (added[j].matches('mjx-container, .math, .formula, .run-card, .dash-graph') ||
                                        added[j].querySelector('mjx-container, .math, .formula, .dash-graph'))) {
          watch();
          fitAll();
          return;
        }
      }
    }
  }).observe(document.documentElement, {childList: true, subtree: true});

  window.optiscapeFit = {fitAll: fitAll, watch: watch};
})();
