/*
 * optiscape: a lecture scenario's takeaway is revealed after the last step.
 *
 * The caption (#scenario-panel, webapp/panels/scenario/caption.py) holds the takeaway hidden;
 * this script adds .revealed to the panel when the step read-out goes from "step k / T" (k < T)
 * to "step T / T" (the player reached the end), or when "Show the takeaway now" is pressed (on
 * purpose), and removes it when a new caption arrives. No server round trip.
 *
 * With a caption above the map, it sets the CSS variable --scenario-map-h on the root element: the
 * map's height that keeps the caption's question and the play bar in view (assets/scenario.css).
 */
(function () {
  'use strict';

  function panel() { return document.getElementById('scenario-panel'); }

  function readStep(text) {
    var match = /step\s+(\d+)\s*\/\s*(\d+)/.exec(text || '');
    return match ? {step: Number(match[1]), steps: Number(match[2])} : null;
  }

  function watch() {
    var readout = document.getElementById('step-readout'), caption = panel();
    if (!readout || !caption) { return false; }
    var last = null;
    new MutationObserver(function () {
      // revealed when the player *arrives* at the last step (not when a new payload opens there)
      var now = readStep(readout.textContent), p = panel();
      if (p && p.children.length && now && last && now.steps > 0 && now.step === now.steps &&
          last.steps === now.steps && last.step < now.steps) { p.classList.add('revealed'); }
      last = now;
    }).observe(readout, {childList: true, characterData: true, subtree: true});
    new MutationObserver(function (changes) {
      // a new caption (another scenario or variant): its takeaway waits again
      if (changes.some(function (c) { return c.target === caption; })) { caption.classList.remove('revealed'); }
    }).observe(caption, {childList: true});
    caption.addEventListener('click', function (event) {
      if (event.target && event.target.closest && event.target.closest('.scenario-reveal')) {
        caption.classList.add('revealed');
      }
    });
    return true;
  }

  // The map's height that keeps the play bar in view under the caption: the viewport's height less
  // everything from the top of the page to the bottom of the play bar except the map itself.
  // On a phone (below 600 px wide; assets/phone.css) the map may shrink further so the bar fits 390x844.
  var MIN_MAP = 280, MIN_MAP_PHONE = 220, MAX_MAP = 640, MAX_MAP_PROJECTOR = 760;
  function fitMap() {
    var caption = panel(), graph = document.getElementById('map-graph'), bar = document.getElementById('player-bar');
    var root = document.documentElement;
    if (!caption || !graph || !bar) { return; }
    if (!caption.children.length) { root.style.removeProperty('--scenario-map-h'); return; }
    if (caption.classList.contains('revealed')) { return; }      // the reveal may push the map down
    var overhead = bar.getBoundingClientRect().bottom + window.scrollY - graph.getBoundingClientRect().height;
    var projector = !!document.querySelector('.app.projector');
    var least = window.innerWidth < 600 ? MIN_MAP_PHONE : MIN_MAP;
    var height = Math.max(least, Math.min(projector ? MAX_MAP_PROJECTOR : MAX_MAP,
                                            Math.floor(window.innerHeight - overhead - 8)));
    root.style.setProperty('--scenario-map-h', height + 'px');
  }

  function trackHeight() {
    var caption = panel(), app = document.querySelector('.app');
    if (!caption || !app || !window.ResizeObserver) { return false; }
    var queued = false;
    function later() {
      if (queued) { return; }
      queued = true;
      requestAnimationFrame(function () { queued = false; fitMap(); });
    }
    new ResizeObserver(later).observe(caption);
    var header = document.querySelector('header, .app-header');
    if (header) { new ResizeObserver(later).observe(header); }
    // what sits above the map inside its card (the View bar, the legend) settles after the first fit
    var card = document.querySelector('.map-card');
    if (card) { new ResizeObserver(later).observe(card); }
    new MutationObserver(later).observe(app, {attributes: true, attributeFilter: ['class']});   // projector
    window.addEventListener('resize', later);
    return true;
  }

  (function wait() { if (!watch()) { setTimeout(wait, 200); } })();
  (function waitHeight() { if (!trackHeight()) { setTimeout(waitHeight, 200); } })();
})();
