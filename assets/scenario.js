/*
 * optiscape: a lecture scenario's takeaway is revealed after the last step.
 *
 * The caption (#scenario-panel, webapp/panels/scenario/caption.py) holds the takeaway hidden;
 * this script adds .revealed to the panel when the step read-out goes from "step k / T" (k < T)
 * to "step T / T" (the player reached the end), or when "Show the takeaway now" is pressed (on
 * purpose), and removes it when a new caption arrives. No server round trip.
 *
 * It also keeps the caption's height (before the reveal) in the CSS variable --scenario-h on the
 * root element, so assets/scenario.css can shrink the map and keep the play bar in view.
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

  function trackHeight() {
    var caption = panel();
    if (!caption || !window.ResizeObserver) { return false; }
    new ResizeObserver(function () {
      if (caption.classList.contains('revealed')) { return; }     // the reveal may push the map down
      var height = caption.children.length ? caption.getBoundingClientRect().height : 0;
      document.documentElement.style.setProperty('--scenario-h', Math.round(height) + 'px');
    }).observe(caption);
    return true;
  }

  (function wait() { if (!watch()) { setTimeout(wait, 200); } })();
  (function waitHeight() { if (!trackHeight()) { setTimeout(waitHeight, 200); } })();
})();
