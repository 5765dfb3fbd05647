/*
 * optiscape: the map's height on every screen, from the page's real layout.
 *
 * Whatever sits above the map (the header's buttons, the View bar, the legend, the markers' key) grows
 * as panels are added, so a fixed CSS height left the play bar under the window's edge. Here the map
 * gets the window's height less everything from the top of the page to the bottom of the play bar
 * except the map itself, between a floor and a ceiling (CSS variable --page-map-h, read by
 * assets/viewport.css). Two cases are left to others: a scenario caption above the map
 * (assets/scenario.js fits the map under it) and projector mode (the play bar is fixed to the bottom).
 */
(function () {
  'use strict';

  var MIN_MAP = 300, MIN_MAP_PHONE = 240, MAX_MAP = 640;

  function fit() {
    var root = document.documentElement, graph = document.getElementById('map-graph');
    var bar = document.getElementById('player-bar'), app = document.querySelector('.app');
    if (!graph || !bar || !app) { return; }
    if (app.classList.contains('projector') || document.querySelector('.stage .scenario-card')) {
      root.style.removeProperty('--page-map-h');
      return;
    }
    var phone = window.innerWidth < 900;
    var overhead = bar.getBoundingClientRect().bottom + window.scrollY - graph.getBoundingClientRect().height;
    var ceiling = phone ? Math.min(560, window.innerWidth - 24) : MAX_MAP;
    var height = Math.max(phone ? MIN_MAP_PHONE : MIN_MAP, Math.min(ceiling, Math.floor(window.innerHeight - overhead - 8)));
    if (root.style.getPropertyValue('--page-map-h') !== height + 'px') { root.style.setProperty('--page-map-h', height + 'px'); }
  }

  var queued = false;
  function later() {
    if (queued) { return; }
    queued = true;
    requestAnimationFrame(function () { queued = false; fit(); });
  }

  function track() {
    var header = document.querySelector('.app-header'), card = document.querySelector('.map-card');
    var app = document.querySelector('.app');
    if (!header || !card || !app || !window.ResizeObserver) { return false; }
    new ResizeObserver(later).observe(header);
    new ResizeObserver(later).observe(card);
    var stage = document.querySelector('.stage');
    if (stage) { new MutationObserver(later).observe(stage, {childList: true}); }        // a caption comes or goes
    new MutationObserver(later).observe(app, {attributes: true, attributeFilter: ['class']});   // projector
    window.addEventListener('resize', later);
    fit();
    return true;
  }
  (function wait() { if (!track()) { setTimeout(wait, 200); } })();
})();
