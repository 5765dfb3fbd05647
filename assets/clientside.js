/*
 * optiscape: every function the Dash callbacks run in the browser, in one namespace.
 *
 * Python refers to them as ClientsideFunction("optiscape", name); no JS lives in Python strings.
 * The player's entry points delegate to window.optiscapePlayer (assets/player-*.js), looked up at
 * call time, so the order the assets load in does not matter.
 */
(function () {
  'use strict';

  function nu() { return window.dash_clientside.no_update; }
  function player() { return window.optiscapePlayer; }
  function delegate(name) {
    return function () { var p = player(); return p ? p[name].apply(p, arguments) : nu(); };
  }

  var EMPTY_MAP = {data: [], layout: {height: 60, xaxis: {visible: false}, yaxis: {visible: false}}};

  window.dash_clientside = window.dash_clientside || {};
  // added to, never replaced: other assets (touch.js, history.js, ...) add their own functions
  window.dash_clientside.optiscape = Object.assign(window.dash_clientside.optiscape || {}, {
    // the stage: the runs' payload to the player, run names, the share link, projector mode, sliders
    load: delegate('load'),
    runNames: delegate('runNames'),
    shareUrl: delegate('shareUrl'),
    syncSlider: delegate('syncSlider'),
    inner: delegate('inner'),
    threed: delegate('threed'),
    // a zoom, pan or reset of the map's axes goes to the server; a relayout that only resizes the plot
    // (autosize after a container change) does not, so it never costs a request
    zoomOnly: function (relayout) {
      if (!relayout) { return nu(); }
      for (var key in relayout) {
        if (/^[xy]axis\.(range|autorange)/.test(key)) { return relayout; }
      }
      return nu();
    },
    projector: function (n) {
      var on = n % 2 === 1;
      var p = player();
      if (p) { p.projector(on); }
      // keep the root's other classes (reduced-motion, assets/a11y.js)
      var root = document.getElementById('root');
      var others = root ? root.className.split(/\s+/).filter(function (c) { return c && c !== 'projector'; }) : ['app'];
      return others.concat(on ? ['projector'] : []).join(' ');
    },

    // the Maps panel
    mapsShow: function (result, cancelled) {
      if (!result) { return [nu(), nu(), nu()]; }
      if ((cancelled || 0) > (result.cancel || 0)) {
        var status = document.getElementById('maps-status');          // its word in the page's language
        return [nu(), nu(), (status && status.getAttribute('data-cancelled')) || 'cancelled'];
      }
      if (result.empty) { return [EMPTY_MAP, null, '']; }
      return [result.figure, result.meta, ''];
    },
    mapsKind: function (kind) {
      var basin = kind !== 'sensitivity';
      return [basin ? {} : {display: 'none'}, basin ? {display: 'none'} : {}];
    },
    mapsPng: function (n) {
      var gd = document.querySelector('#maps-graph .js-plotly-plot');
      if (n && gd && window.Plotly) { window.Plotly.downloadImage(gd, {format: 'png', filename: 'optiscape-map', scale: 2}); }
      return nu();
    },
    mapsCellClicked: function (click, meta) {
      // a basin cell: play the runs from the new start once its trajectories arrive
      if (meta && meta.kind === 'basin') { window.optiscapeMapsPlay = Date.now(); }
      return nu();
    },
    mapsPlayIfAsked: function (payload) {
      var asked = window.optiscapeMapsPlay, p = player();
      if (asked && Date.now() - asked < 10000 && p) {
        window.optiscapeMapsPlay = 0;
        setTimeout(function () { p.seek(0); p.play(); }, 120);
      }
      return nu();
    }
  });
})();
