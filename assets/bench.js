/*
 * optiscape, the practitioner's bench: browser-side functions of the local-model card.
 * ADDED to the window.dash_clientside.optiscape namespace (Object.assign), never replacing it.
 */
(function () {
  'use strict';
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.optiscape = Object.assign(window.dash_clientside.optiscape || {}, {
    // "Show": the player's current step into the local model's step box
    playerStep: function (clicks) {
      var player = window.optiscapePlayer;
      if (!clicks || !player) { return window.dash_clientside.no_update; }
      return player.stats().step;
    }
  });
})();
