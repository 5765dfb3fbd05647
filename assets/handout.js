/*
 * optiscape handout links in the browser: hide and lock the controls a link names (webapp/state/handout.py).
 *
 * handout(stored) is a clientside callback on the state store: it reads the validated flags
 * (stored.handout: hide, lock, only, embed, as comma-separated names) and marks every control of
 * the page. A hidden control gets .handout-hidden (display: none); a locked one .handout-locked and
 * `inert` (no click, no typing, no focus). Run cards are re-drawn by Dash, so a MutationObserver marks
 * new controls as they appear. The server refuses an edit of a locked control anyway
 * (webapp/panels/room/handout.py): this is what the student sees. embed=1 puts .optiscape-embed on
 * <html>: only the map, the player and the caption stay (assets/room.css).
 *
 * Added to window.dash_clientside.optiscape with Object.assign (never replacing it).
 */
(function () {
  'use strict';

  var L = {hide: [], lock: [], only: [], embed: false, key: ''};
  var GROUPS_OF_IDS = {
    'surface-picker': 'surface', 'scenario-picker': 'scenario', 'start-x': 'start', 'start-y': 'start',
    'start-reset': 'start', 'steps-input': 'steps', 'view-x-min': 'zoom', 'view-x-max': 'zoom', 'view-y-min': 'zoom',
    'view-y-max': 'zoom', 'add-run': 'runs', 'add-optimizer': 'runs', 'view-bar': 'views', 'maps-details': 'maps',
    'tune-button': 'tune', 'tune-objective': 'tune', 'tune-mode': 'tune', 'share-link': 'export',
    'download-csv-button': 'export', 'download-html-button': 'export', 'torch-details': 'export'
  };
  // whole cards, hidden when their group is (never made inert: a control inside may be free under only=)
  var CONTAINERS = [['.surface-card', 'surface'], ['.runs-card', 'runs'], ['.tune-card', 'tune'],
                    ['.header-actions .copy-button', 'export']];
  var RUN_PART = {'run-optimizer': '.optimizer', 'run-schedule': '.schedule', 'sched-param': '.schedule',
                  'sched-param-slider': '.schedule', 'sched-param-option': '.schedule', 'sched-param-text': '.schedule',
                  'run-noise': '.noise', 'run-seed': '.seed', 'run-seeds': '.seeds', 'run-visible': '', 'run-duplicate': '', 'run-remove': '',
                  'run-card': ''};

  function nu() { return window.dash_clientside.no_update; }
  function names(text) { return typeof text === 'string' && text ? text.split(',') : []; }

  function controlName(id) {
    if (!id) { return null; }
    if (id.charAt(0) !== '{') { return GROUPS_OF_IDS[id] || null; }
    var key;
    try { key = JSON.parse(id); } catch (e) { return null; }
    var type = String(key.type || '');
    if (/^surface-param/.test(type) && key.name) { return 'surface.' + key.name; }
    if (typeof key.run !== 'number') { return null; }
    var run = 'run' + (key.run + 1);
    if (/^hyper/.test(type) && key.name) { return run + '.' + key.name; }
    if (type in RUN_PART) { return run + RUN_PART[type]; }
    if (type === 'run-tune') { return 'tune'; }
    if (type === 'run-torch') { return 'export'; }
    return null;
  }

  function parents(name) {
    var chain = [name];
    if (name.indexOf('.') > 0) { name = name.split('.')[0]; chain.push(name); }
    if (/^run\d+$/.test(name)) { chain.push('runs'); }
    if (name !== 'all') { chain.push('all'); }
    return chain;
  }
  function any(list, chain) { return chain.some(function (n) { return list.indexOf(n) >= 0; }); }
  function hidden(name) { return any(L.hide, parents(name)); }
  function locked(name) {
    var chain = parents(name);
    return any(L.hide, chain) || any(L.lock, chain) || (L.only.length > 0 && !any(L.only, chain));
  }

  function mark(element, hide, lock) {
    element.classList.toggle('handout-hidden', hide);
    element.classList.toggle('handout-locked', lock && !hide);
    if (lock) { element.setAttribute('inert', ''); element.setAttribute('aria-disabled', 'true'); }
    else if (element.hasAttribute('inert')) { element.removeAttribute('inert'); element.removeAttribute('aria-disabled'); }
  }

  function wrapperOf(element, name) {
    if (name.indexOf('.') > 0 && !/\.(optimizer|schedule|noise|seeds?)$/.test(name) || /^surface\./.test(name)) {
      return element.closest('.param') || element;             // a labelled parameter: label, slider and box
    }
    if (name === 'start' || name === 'steps' || name === 'zoom') { return element.closest('.start-row, .view-row') || element; }
    return element.closest('.dash-input-container, .dash-dropdown-wrapper') || element;   // Dash 4 wraps boxes and menus
  }

  function apply() {
    var root = document.getElementById('root');
    if (!root) { return; }
    document.documentElement.classList.toggle('optiscape-embed', L.embed);
    var active = L.hide.length || L.lock.length || L.only.length;
    if (!active && !root.querySelector('.handout-hidden, .handout-locked')) { return; }
    var seen = [];
    root.querySelectorAll('[id]').forEach(function (element) {
      var name = controlName(element.id);
      if (!name) { return; }
      var target = wrapperOf(element, name);
      if (seen.indexOf(target) >= 0) { return; }
      seen.push(target);
      var isCard = element.id.indexOf('"run-card"') >= 0;
      mark(target, hidden(name), !isCard && locked(name));
    });
    CONTAINERS.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (element) { mark(element, hidden(pair[1]), false); });
    });
    var start = root.querySelector('.start-card');
    if (start) { mark(start, hidden('start') && hidden('steps') && hidden('zoom'), false); }
  }

  var pending = 0;
  function later() {
    if (!pending) { pending = requestAnimationFrame(function () { pending = 0; apply(); }); }
  }
  var observed = false;
  function observe() {
    var root = document.getElementById('root');
    if (observed || !root) { return; }
    observed = true;
    new MutationObserver(function () { if (L.key) { later(); } }).observe(root, {childList: true, subtree: true});
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.optiscape = Object.assign(window.dash_clientside.optiscape || {}, {
    handout: function (stored) {
      var flags = (stored && stored.handout) || {};
      var key = JSON.stringify(flags);
      if (key !== L.key || key === '{}') {
        L = {hide: names(flags.hide), lock: names(flags.lock), only: names(flags.only), embed: flags.embed === '1',
             key: key === '{}' ? '' : key};
      }
      observe();
      later();
      return nu();
    }
  });
})();
