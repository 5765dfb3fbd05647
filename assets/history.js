/*
 * optiscape: undo / redo of edits, and the map's clickable legend.
 *
 * The share link is the whole state, so history is a list of links, kept in the browser. Each answer of
 * the server hands its canonical link to historyRecord (a clientside callback on 'share-query'); a new
 * link pushes the one before onto the undo list. Undo (the header's ↶, Ctrl+Z) and redo (↷,
 * Ctrl+Shift+Z or Ctrl+Y) open an older or newer link the way the address bar would: the 'url'
 * component's search, which the server answers as "open this link" (webapp.panels.header.edits).
 * Inside a text or number box Ctrl+Z stays the browser's own (undo typing).
 *
 * The legend: a click on a run's chip hides or shows that run, a double click shows it alone (and a
 * double click on the only run shown shows them all). Both are edits of the link's run entries
 * (";hidden"), so they can be undone too.
 */
(function () {
  'use strict';

  var LIMIT = 100;
  var H = {past: [], future: [], current: null, applying: false};

  function setUrl(query) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props('url', {search: query});
    }
  }

  function showButtons() {
    var undo = document.getElementById('undo-button'), redo = document.getElementById('redo-button');
    if (undo) { undo.disabled = !H.past.length; }
    if (redo) { redo.disabled = !H.future.length; }
  }

  function record(query) {
    if (typeof query !== 'string') { return window.dash_clientside.no_update; }
    if (H.applying) { H.applying = false; H.current = query; showButtons(); return H.past.length; }
    if (H.current !== null && query !== H.current) {
      H.past.push(H.current);
      if (H.past.length > LIMIT) { H.past.shift(); }
      H.future = [];
    }
    H.current = query;
    showButtons();
    return H.past.length;
  }

  function go(from, to) {
    if (!from.length || H.current === null) { return false; }
    to.push(H.current);
    var target = from.pop();
    H.applying = true;
    H.current = target;
    setUrl(target);
    showButtons();
    return true;
  }
  function undo() { return go(H.past, H.future); }
  function redo() { return go(H.future, H.past); }

  function typing(target) {
    return !!(target && target.closest && target.closest('input, textarea, select, [contenteditable]'));
  }

  document.addEventListener('keydown', function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || typing(event.target)) { return; }
    var key = (event.key || '').toLowerCase();
    if (key === 'z' && !event.shiftKey) { if (undo()) { event.preventDefault(); } }
    else if ((key === 'z' && event.shiftKey) || key === 'y') { if (redo()) { event.preventDefault(); } }
  });

  // ------------------------------------------------------------ the legend
  function runEntries(query) {
    return (query || '').replace(/^\?/, '').split('&');
  }
  function withHidden(query, hiddenOf) {
    var index = -1;
    var parts = runEntries(query).map(function (part) {
      if (part.indexOf('run=') !== 0) { return part; }
      index += 1;
      var pieces = part.split(';').filter(function (p) { return p !== 'hidden'; });
      if (hiddenOf(index)) { pieces.splice(1, 0, 'hidden'); }
      return pieces.join(';');
    });
    return '?' + parts.join('&');
  }
  function hiddenNow(query) {
    return runEntries(query).filter(function (p) { return p.indexOf('run=') === 0; }).map(function (p) {
      return p.split(';').indexOf('hidden') > 0;
    });
  }

  function toggle(run) {
    var hidden = hiddenNow(H.current);
    if (run >= hidden.length) { return; }
    setUrl(withHidden(H.current, function (i) { return i === run ? !hidden[i] : hidden[i]; }));
  }
  function isolate(run) {
    var hidden = hiddenNow(H.current);
    if (run >= hidden.length) { return; }
    var alone = hidden.every(function (h, i) { return i === run ? !h : h; });
    setUrl(withHidden(H.current, function (i) { return alone ? false : i !== run; }));
  }

  var pendingClick = null;
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest && event.target.closest('#undo-button, #redo-button');
    if (button) { if (button.id === 'undo-button') { undo(); } else { redo(); } return; }
    var chip = event.target && event.target.closest && event.target.closest('#map-legend .legend-chip[data-run]');
    if (!chip || H.current === null) { return; }
    var run = Number(chip.getAttribute('data-run'));
    if (event.detail > 1) { return; }               // the second click of a double click: see dblclick
    clearTimeout(pendingClick);
    pendingClick = setTimeout(function () { pendingClick = null; toggle(run); }, 260);
  });
  document.addEventListener('dblclick', function (event) {
    var chip = event.target && event.target.closest && event.target.closest('#map-legend .legend-chip[data-run]');
    if (!chip || H.current === null) { return; }
    clearTimeout(pendingClick); pendingClick = null;
    isolate(Number(chip.getAttribute('data-run')));
  });

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.optiscape = Object.assign(window.dash_clientside.optiscape || {}, {historyRecord: record});
  window.optiscapeHistory = {undo: undo, redo: redo, state: function () {
    return {past: H.past.length, future: H.future.length, current: H.current};
  }};
})();
