/*
 * optiscape player (fade): "fade old steps". With the play bar's toggle on (kept in this browser), each
 * path's part older than the last max(15, T/10) steps is drawn faint (player-map.js draws the two parts).
 *
 * One of the player's files (assets/player-*.js), all in the one namespace window.optiscapePlayer;
 * each adds its functions with Object.assign and calls the others' through it at call time.
 */
(function () {
  'use strict';

  var NS = window.optiscapePlayer = window.optiscapePlayer || {};
  var P = NS.state = NS.state || {};
  var STORE = 'optiscape-fade';
  try { P.fade = window.localStorage.getItem(STORE) === '1'; } catch (e) { P.fade = false; }

  function show() {
    var button = document.getElementById('fade-toggle');
    if (button && button.getAttribute('aria-pressed') !== String(P.fade)) { button.setAttribute('aria-pressed', String(P.fade)); }
  }

  // the first step still drawn solid at step n (0: the whole path is solid)
  function fadeFrom(n) {
    show();
    return P.fade ? Math.max(0, n - Math.max(15, Math.round(NS.maxStep() / 10))) : 0;
  }

  document.addEventListener('click', function (event) {
    if (!(event.target && event.target.closest && event.target.closest('#fade-toggle'))) { return; }
    P.fade = !P.fade;
    try { window.localStorage.setItem(STORE, P.fade ? '1' : '0'); } catch (e) { /* private mode */ }
    show();
    NS.draw(true);
  });

  Object.assign(NS, {fadeFrom: fadeFrom});
})();
