/*
 * optiscape player (core): The player's namespace (window.optiscapePlayer), its one state record (optiscapePlayer.state) and the
 * small helpers every part uses: the graphs' DOM nodes, number formatting, SVG elements, readiness (the map
 * on screen is the one the runs' payload belongs on: layout.meta.token === payload.map_token).
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

  var SVG = 'http://www.w3.org/2000/svg';
  var defaults = {
    payload: null, step: 0, playing: false, speed: 1,
    raf: 0, last: 0, carry: 0, drawn: -1, loaded: 0, opens: null,
    frames: 0, drawMs: 0, projection: null,
    threedEvery: 400      // ms between 3D marker updates while playing (a WebGL scene redraw is costly)
  };
  for (var key in defaults) { if (!(key in P)) { P[key] = defaults[key]; } }

  function noUpdate() {
    return (window.dash_clientside && window.dash_clientside.no_update) || null;
  }
  function mapDiv() { return document.querySelector('#map-graph .js-plotly-plot'); }
  function lossDiv() { return document.querySelector('#loss-graph .js-plotly-plot'); }
  function maxStep() { return P.payload ? P.payload.steps : 0; }
  function ready(gd) {
    return !!(gd && plotly().plotted(gd) && gd.layout && gd.layout.meta && P.payload &&
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

  function side() { return !!(P.payload && P.payload.view_mode === 'side'); }
  function innerDiv() { return document.querySelector('#inner-graph .js-plotly-plot'); }
  function threedDiv() { return document.querySelector('#threed-graph .js-plotly-plot'); }

  Object.assign(NS, {noUpdate: noUpdate, mapDiv: mapDiv, lossDiv: lossDiv, maxStep: maxStep, ready: ready,
                   fmt: fmt, el: el, side: side, innerDiv: innerDiv, threedDiv: threedDiv});
})();
