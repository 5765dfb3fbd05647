/*
 * optiscape player (playback): Playback and the page's entry points: drawing a frame, play / pause / seek, the player bar and the
 * keyboard, a click on the map that sets the start, load() of a new payload, the share URL, run names,
 * stats() for tests and benchmarks, and the standalone HTML export's start.
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
  var dragAnswered = use('dragAnswered'), drawInner = use('drawInner'), drawLoss = use('drawLoss'),
      drawMap = use('drawMap'), drawThreeD = use('drawThreeD'), hook = use('hook'), lossDiv = use('lossDiv'),
      mapDiv = use('mapDiv'), maxStep = use('maxStep'), noUpdate = use('noUpdate'),
      previewCounts = use('previewCounts'), ready = use('ready'), refreshHover = use('refreshHover');

  // ------------------------------------------------------------ drawing
  function draw(force) {
    var gd = mapDiv();
    if (!ready(gd)) { return false; }
    hook(gd);
    hook(lossDiv());
    var k = P.step;
    if (!force && P.drawn === k) { return true; }
    var t0 = performance.now();
    drawMap(gd, k);
    refreshHover();
    drawLoss(k);
    drawInner(k);
    drawThreeD(k, force || !P.playing);
    P.drawn = k;
    P.frames += 1;
    P.drawMs += performance.now() - t0;
    updateControls();
    return true;
  }

  function whenReady(fn) {
    var token = P.payload && P.payload.token, tries = 0;
    (function wait() {
      if (!P.payload || P.payload.token !== token) { return; }
      if (ready(mapDiv())) { fn(); } else if (tries++ < 900) { requestAnimationFrame(wait); }
    })();
  }

  // ------------------------------------------------------------ playback
  function stepsPerSecond() { return Math.max(30, maxStep() / 10) * P.speed; }

  function tick(now) {
    P.raf = 0;
    if (!P.playing) { return; }
    if (P.last) { P.carry += (now - P.last) / 1000 * stepsPerSecond(); }
    P.last = now;
    var advance = Math.floor(P.carry);
    if (advance > 0) {
      P.carry -= advance;
      P.step = Math.min(P.step + advance, maxStep());
    }
    draw(false);
    if (P.step >= maxStep()) { pause(); return; }
    P.raf = requestAnimationFrame(tick);
  }

  function play() {
    if (!P.payload) { return; }
    if (P.step >= maxStep()) { P.step = 0; }
    P.playing = true; P.last = 0; P.carry = 0;
    if (!P.raf) { P.raf = requestAnimationFrame(tick); }
    updateControls();
  }

  function pause() {
    P.playing = false;
    if (P.raf) { cancelAnimationFrame(P.raf); }
    P.raf = 0;
    if (P.payload) { drawThreeD(P.step, true); }
    updateControls();
  }

  function seek(step) {
    if (!P.payload) { return; }
    P.step = Math.max(0, Math.min(maxStep(), Math.round(step)));
    draw(false);
    updateControls();
  }

  function act(action, count) {
    count = count || 1;
    P.userActed = true;
    if (action === 'toggle') { if (P.playing) { pause(); } else { play(); } }
    else if (action === 'play') { play(); }
    else if (action === 'pause') { pause(); }
    else if (action === 'back') { pause(); seek(P.step - count); }
    else if (action === 'forward') { pause(); seek(P.step + count); }
    else if (action === 'restart') { var was = P.playing; pause(); seek(0); if (was) { play(); } }
  }

  // ------------------------------------------------------------ controls
  function scrub() {
    var holder = document.getElementById('scrub-holder');
    if (!holder) { return null; }
    var input = holder.querySelector('input.scrub');
    if (!input) {
      input = document.createElement('input');
      input.type = 'range'; input.className = 'scrub'; input.id = 'scrub';
      input.min = '0'; input.step = '1'; input.value = '0';
      input.setAttribute('aria-label', 'Step');
      holder.appendChild(input);
    }
    return input;
  }

  function updateControls() {
    var input = scrub();
    if (input) {
      if (String(maxStep()) !== input.max) { input.max = String(maxStep()); }
      if (String(P.step) !== input.value) { input.value = String(P.step); }
    }
    var readout = document.getElementById('step-readout');
    if (readout) {                         // data-template: the page's language ("step {step} / {steps}")
      var template = readout.getAttribute('data-template') || 'step {step} / {steps}';
      readout.textContent = template.replace('{step}', String(P.step)).replace('{steps}', String(maxStep()));
    }
    var button = document.getElementById('play-button');
    if (button) {
      button.textContent = P.playing ? '\u25AE\u25AE' : '\u25B6';
      button.setAttribute('aria-pressed', P.playing ? 'true' : 'false');
    }
    var bar = document.getElementById('player-bar');
    if (bar) { bar.setAttribute('data-playing', P.playing ? 'true' : 'false'); bar.setAttribute('data-step', String(P.step)); }
  }

  function isTyping(target) {
    if (!target || !target.closest) { return false; }
    return !!target.closest('input, textarea, select, button, [contenteditable], [role=slider], [role=combobox], ' +
                            '[role=listbox], .dash-dropdown');
  }

  document.addEventListener('click', function (event) {
    var target = event.target && event.target.closest && event.target.closest('[data-player]');
    if (target) { event.preventDefault(); act(target.getAttribute('data-player')); }
  });
  document.addEventListener('input', function (event) {
    if (event.target && event.target.id === 'scrub') {
      var wanted = Number(event.target.value);      // read before pause() re-syncs the bar
      P.userActed = true; pause(); seek(wanted);
    }
  });
  document.addEventListener('change', function (event) {
    if (event.target && event.target.id === 'speed-select') {
      var speed = Number(event.target.value);
      if (speed > 0 && isFinite(speed)) { P.speed = speed; }
    }
  });
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target) || !P.payload) { return; }
    var jump = event.shiftKey ? 10 : 1;
    if (event.key === ' ' || event.code === 'Space') { event.preventDefault(); act('toggle'); }
    else if (event.key === 'ArrowRight') { event.preventDefault(); act('forward', jump); }
    else if (event.key === 'ArrowLeft') { event.preventDefault(); act('back', jump); }
    else if (event.key === 'Home') { event.preventDefault(); act('restart'); }
  });

  // A click (not a drag) on the map's plot area sets the start point of every run.
  var press = null;
  document.addEventListener('mousedown', function (event) {
    var gd = mapDiv();
    var drag = gd && event.target && event.target.closest && event.target.closest('.nsewdrag');
    press = (drag && gd.contains(drag)) ? {x: event.clientX, y: event.clientY, t: Date.now(), el: drag} : null;
  }, true);
  document.addEventListener('mouseup', function (event) {
    var start = press; press = null;
    if (!start || Math.abs(event.clientX - start.x) > 4 || Math.abs(event.clientY - start.y) > 4 ||
        Date.now() - start.t > 600) { return; }
    if (!window.dash_clientside || !window.dash_clientside.set_props) { return; }
    var point = plotly().pointAt(start.el, event.clientX, event.clientY);
    if (point) { point.t = Date.now(); window.dash_clientside.set_props('map-click', {data: point}); }
  }, true);

  // ------------------------------------------------------------ entry points
  function load(payload) {
    if (!payload || !payload.runs) { return noUpdate(); }
    dragAnswered();
    var first = !P.loaded, wasPlaying = P.playing;
    // a scenario picture (payload.opens, webapp/panels/scenario/picture.py) opens paused at step 0, once
    var opens = payload.opens || null, hold = !!opens && opens !== P.opens;
    P.opens = opens;
    pause();
    P.payload = payload;
    P.loaded += 1;
    P.step = (hold || wasPlaying) ? 0 : Math.min(P.step, payload.steps);
    P.drawn = -1;
    updateControls();
    whenReady(function () {
      draw(true);
      // no autoplay on first load under reduced motion (the OS setting or the footer's switch, assets/a11y.js)
      var calm = window.optiscapeReducedMotion && window.optiscapeReducedMotion();
      if (!hold && ((first && !P.userActed && !calm) || wasPlaying)) { play(); }
    });
    return payload.token;
  }

  function shareUrl(query) {
    if (typeof query !== 'string') { return noUpdate(); }
    try { window.history.replaceState(window.history.state, '', window.location.pathname + query); } catch (e) { /* file:// */ }
    return window.location.href;
  }

  function runNames(payload, shown) {
    if (!payload || !payload.runs || !Array.isArray(shown) || shown.length !== payload.runs.length) { return noUpdate(); }
    var names = payload.runs.map(function (r) { return r.name; });
    return names.every(function (name, i) { return name === shown[i]; }) ? noUpdate() : names;
  }

  function stats() {
    return {frames: P.frames, drawMs: P.drawMs, step: P.step, playing: P.playing, steps: maxStep(),
            token: P.payload ? P.payload.token : null, previews: previewCounts()};
  }

  function payload() { return P.payload; }

  // The standalone HTML export (webapp/export.py) carries its figures and payload as JSON: draw and play.
  var embedded = document.getElementById('optiscape-export');
  if (embedded && window.Plotly) {
    var page = JSON.parse(embedded.textContent);
    var config = {displaylogo: false, responsive: true};
    Promise.all([
      window.Plotly.newPlot('map-plot', page.map.data, page.map.layout, config),
      window.Plotly.newPlot('loss-plot', page.loss.data, page.loss.layout, config)
    ]).then(function () { load(page.payload); });
  }

  Object.assign(NS, {draw: draw, whenReady: whenReady, stepsPerSecond: stepsPerSecond, tick: tick, play: play,
                   pause: pause, seek: seek, act: act, scrub: scrub, updateControls: updateControls,
                   isTyping: isTyping, load: load, shareUrl: shareUrl, runNames: runNames, stats: stats,
                   payload: payload});
})();
