/*
 * optiscape player (arrows): the arrows at a run's current point (-gradient, -velocity, step taken; a
 * head on a shaft, hidden when shorter than 1.5 px) and Nesterov's look-ahead (the lecture's iterate, the
 * dashed segment rho*v and the point where the gradient is taken), in pixels of the run's axes.
 *
 * One of the player's files (assets/player-*.js), all in the one namespace window.optiscapePlayer;
 * each adds its functions with Object.assign and calls the others' through it at call time, so the
 * order the files load in does not matter. Only assets/player-plotly.js touches Plotly's internals.
 */
(function () {
  'use strict';

  var NS = window.optiscapePlayer = window.optiscapePlayer || {};
  function use(name) { return function () { return NS[name].apply(null, arguments); }; }
  var el = use('el');

  function drawArrow(arrow, x0, y0, x1, y1) {
    var dx = x1 - x0, dy = y1 - y0, length = Math.sqrt(dx * dx + dy * dy);
    if (!(length > 1.5) || !isFinite(length)) {
      arrow.line.setAttribute('display', 'none'); arrow.head.setAttribute('display', 'none'); return;
    }
    var ux = dx / length, uy = dy / length, size = Math.min(11, 0.6 * length + 4);
    var bx = x1 - ux * size, by = y1 - uy * size;         // the head's base: the shaft ends there
    arrow.line.removeAttribute('display'); arrow.head.removeAttribute('display');
    arrow.line.setAttribute('x1', x0.toFixed(1)); arrow.line.setAttribute('y1', y0.toFixed(1));
    arrow.line.setAttribute('x2', bx.toFixed(1)); arrow.line.setAttribute('y2', by.toFixed(1));
    arrow.head.setAttribute('points', x1.toFixed(1) + ',' + y1.toFixed(1) + ' ' +
      (bx - uy * size * 0.5).toFixed(1) + ',' + (by + ux * size * 0.5).toFixed(1) + ' ' +
      (bx + uy * size * 0.5).toFixed(1) + ',' + (by - ux * size * 0.5).toFixed(1));
  }

  // Nesterov's look-ahead (payload run.lookahead): the lecture's iterate (a small open circle), a dashed
  // segment rho*v to the look-ahead point (a ring), where the gradient is taken.
  function lookaheadParts(parent, colour) {
    var g = el('g', {'class': 'run-lookahead'}, parent);
    var line = el('line', {'class': 'lookahead-segment', stroke: '#6a3d9a', 'stroke-width': '2.5',
                           'stroke-dasharray': '5,4', 'stroke-linecap': 'round'}, g);
    var origin = el('circle', {'class': 'lookahead-origin', r: '4.5', fill: '#ffffff', stroke: colour,
                               'stroke-width': '2.5'}, g);
    el('title', {}, origin).textContent = 'the lecture\u2019s iterate x_t';
    var point = el('circle', {'class': 'lookahead-point', r: '10', fill: 'none', stroke: '#6a3d9a',
                              'stroke-width': '2'}, g);
    el('title', {}, point).textContent = 'look-ahead x_t + \u03c1v_t: the gradient is taken here';
    return {group: g, line: line, origin: origin, point: point};
  }

  function drawLookahead(parts, look, t, xa, ya) {
    var ox = xa.toPixel(look.ox[t]), oy = ya.toPixel(look.oy[t]), x = xa.toPixel(look.x[t]), y = ya.toPixel(look.y[t]);
    if (!isFinite(ox + oy + x + y)) { parts.group.setAttribute('display', 'none'); return; }
    parts.group.removeAttribute('display');
    parts.group.setAttribute('data-step', String(t));
    parts.line.setAttribute('x1', ox.toFixed(1)); parts.line.setAttribute('y1', oy.toFixed(1));
    parts.line.setAttribute('x2', x.toFixed(1)); parts.line.setAttribute('y2', y.toFixed(1));
    parts.origin.setAttribute('cx', ox.toFixed(1)); parts.origin.setAttribute('cy', oy.toFixed(1));
    parts.point.setAttribute('cx', x.toFixed(1)); parts.point.setAttribute('cy', y.toFixed(1));
  }

  Object.assign(NS, {drawArrow: drawArrow, lookaheadParts: lookaheadParts, drawLookahead: drawLookahead});
})();
