/*
 * optiscape: a finger on the map sets the start of every run (phones and tablets).
 *
 * A tap sets the start where it lands; a one-finger drag shows a ghost circle under the finger and sets
 * the start where the finger lifts. The mouse's click is handled by assets/player.js; touch events reach
 * neither it nor a click handler, because Plotly's drag box takes them for a zoom. So a single-finger
 * touch that starts on the map's plot area is ours (captured before Plotly's own listener); two fingers
 * are left to the browser (pinch zoom of the page). The page still scrolls from anywhere off the map.
 *
 * The new start goes to the same store as a mouse click ('map-click', through dash_clientside.set_props),
 * so the server treats both alike.
 */
(function () {
  'use strict';

  var touch = null;      // {el, xa, ya, x, y, ghost}

  function mapDiv() { return document.querySelector('#map-graph .js-plotly-plot'); }

  // the plot area under a touch (overlay: the map; side by side: that panel); the data point under a
  // finger comes from the one Plotly adapter (assets/player-plotly.js)
  function plotArea(target) {
    var gd = mapDiv();
    var drag = gd && target && target.closest && target.closest('.nsewdrag');
    return drag && gd.contains(drag) ? {el: drag} : null;
  }

  function ghostAt(clientX, clientY) {
    var card = document.querySelector('.map-card');
    if (!card) { return null; }
    var ghost = card.querySelector('.touch-ghost');
    if (!ghost) { ghost = document.createElement('div'); ghost.className = 'touch-ghost'; card.appendChild(ghost); }
    var rect = card.getBoundingClientRect();
    ghost.style.left = (clientX - rect.left) + 'px';
    ghost.style.top = (clientY - rect.top) + 'px';
    ghost.style.display = 'block';
    return ghost;
  }

  function hideGhost() {
    var ghost = document.querySelector('.map-card .touch-ghost');
    if (ghost) { ghost.style.display = 'none'; }
  }

  function setStart(area, clientX, clientY) {
    if (!window.dash_clientside || !window.dash_clientside.set_props || !window.optiscapePlayer) { return; }
    var point = window.optiscapePlayer.plotly.pointAt(area.el, clientX, clientY);     // null: lifted outside
    if (point) { point.t = Date.now(); window.dash_clientside.set_props('map-click', {data: point}); }
  }

  document.addEventListener('touchstart', function (event) {
    if (event.touches.length !== 1) { touch = null; hideGhost(); return; }
    var area = plotArea(event.target);
    if (!area) { touch = null; return; }
    var t = event.touches[0];
    touch = area; touch.x = t.clientX; touch.y = t.clientY; touch.moved = false;
    event.stopPropagation();        // Plotly's drag box would start a zoom box
    event.preventDefault();         // no scroll, no synthetic mouse events (player.js would set it twice)
  }, {capture: true, passive: false});

  document.addEventListener('touchmove', function (event) {
    if (!touch) { return; }
    if (event.touches.length !== 1) { touch = null; hideGhost(); return; }
    var t = event.touches[0];
    if (Math.abs(t.clientX - touch.x) + Math.abs(t.clientY - touch.y) > 6) { touch.moved = true; }
    touch.x = t.clientX; touch.y = t.clientY;
    if (touch.moved) { ghostAt(t.clientX, t.clientY); }
    event.stopPropagation();
    event.preventDefault();
  }, {capture: true, passive: false});

  document.addEventListener('touchend', function (event) {
    var area = touch;
    touch = null;
    hideGhost();
    if (!area) { return; }
    var t = event.changedTouches && event.changedTouches[0];
    setStart(area, t ? t.clientX : area.x, t ? t.clientY : area.y);
    event.stopPropagation();
    event.preventDefault();
  }, {capture: true, passive: false});

  document.addEventListener('touchcancel', function () { touch = null; hideGhost(); }, true);
})();
