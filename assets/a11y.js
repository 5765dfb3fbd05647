/*
 * optiscape: accessible names, no tab stops inside formulas, reduced motion.
 *
 * Dash 4's core components (sliders, number boxes, radio and check groups, dropdowns) take no aria-*
 * properties, so their names are given here, in the browser, from the text the page already shows (in
 * the page's language). For every control without an accessible name, the first that applies:
 *   1. an element marked data-names="<control id>" (a label the layout made for it, often visually hidden);
 *   2. the .param-label of its parameter (number box and slider of one hyperparameter);
 *   3. a label-like element just before it (a <label>, .view-bar-title, .maps-field-label);
 *   4. its name attribute (the view boxes carry one);
 *   5. the title of the nearest element that has one.
 * A button whose text is only a symbol (the player's ⇤ ▶|, a run's ◉ ✕ ❐) is named by its title.
 * MathJax makes every formula a tab stop (its menu); formulas are text to read, so they leave the tab order.
 * Re-applied after every change of the page (a MutationObserver, at most once a frame).
 */
(function () {
  'use strict';

  var CONTROLS = 'input:not([type=hidden]), select, textarea, [role=slider], [role=listbox], [role=radiogroup], ' +
                 '[role=group], [role=combobox], [role=spinbutton], button';
  var LABEL_LIKE = 'label, .view-bar-title, .maps-field-label, .param-label';
  var counter = 0;

  function idOf(element) {
    if (!element.id) { counter += 1; element.id = 'a11y-name-' + counter; }
    return element.id;
  }

  function hasName(el) {
    var label = el.getAttribute('aria-label');
    if (label && label.trim()) { return true; }
    var by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\s+/).some(function (id) { var t = document.getElementById(id); return t && t.textContent.trim(); })) {
      return true;
    }
    if (el.labels && Array.prototype.some.call(el.labels, function (l) { return l.textContent.trim(); })) { return true; }
    if (el.tagName === 'BUTTON') { return /[\p{L}\p{N}]/u.test(el.textContent || ''); }
    return false;
  }

  function labelledBy(el, source) {
    el.setAttribute('aria-labelledby', idOf(source));
    return true;
  }

  function nameFrom(el) {
    if (el.id) {
      var marked = document.querySelector('[data-names="' + el.id.replace(/["\\]/g, '\\$&') + '"]');
      if (marked) { return labelledBy(el, marked); }
    }
    var param = el.closest('.param, .param-head');
    var paramLabel = param && param.querySelector('.param-label');
    if (paramLabel && paramLabel.textContent.trim()) { return labelledBy(el, paramLabel); }
    // a label-like element just before the control (or before its Dash wrapper)
    var node = el;
    for (var depth = 0; node && depth < 3; depth++, node = node.parentElement) {
      var before = node.previousElementSibling;
      if (before && before.matches(LABEL_LIKE) && before.textContent.trim()) { return labelledBy(el, before); }
      if (node.parentElement && node.parentElement.children.length > 1) { break; }
    }
    if (el.getAttribute('name')) { el.setAttribute('aria-label', el.getAttribute('name')); return true; }
    var titled = el.closest('[title]');
    if (titled && titled.getAttribute('title').trim()) { el.setAttribute('aria-label', titled.getAttribute('title')); return true; }
    return false;
  }

  function symbolButton(el) {
    var text = (el.textContent || '').trim();
    if (el.title && text && !/[\p{L}\p{N}]/u.test(text) && el.getAttribute('aria-label') !== el.title) {
      el.setAttribute('aria-label', el.title);
    }
  }

  // [data-names="id"]: the element that names the one with that id (a graph becomes a labelled figure);
  // [data-describes="id id"]: the text that describes them (the results table's caption for the plots),
  // also copied to a polite live region so a screen reader hears the new outcome after an edit
  function linkNamesAndDescriptions(root) {
    root.querySelectorAll('[data-names]').forEach(function (source) {
      var target = document.getElementById(source.getAttribute('data-names'));
      if (!target) { return; }
      if (target.classList.contains('dash-graph') && target.getAttribute('role') !== 'figure') { target.setAttribute('role', 'figure'); }
      if (!hasName(target)) { labelledBy(target, source); }
    });
    root.querySelectorAll('[data-describes]').forEach(function (source) {
      source.getAttribute('data-describes').split(/\s+/).forEach(function (id) {
        var target = document.getElementById(id);
        if (target && target.getAttribute('aria-describedby') !== idOf(source)) { target.setAttribute('aria-describedby', idOf(source)); }
      });
      var live = document.getElementById('a11y-live');
      if (!live) {
        live = document.createElement('div');
        live.id = 'a11y-live'; live.className = 'visually-hidden';
        live.setAttribute('aria-live', 'polite'); live.setAttribute('role', 'status');
        document.body.appendChild(live);
      }
      var text = source.textContent.trim();
      if (live.textContent !== text) { live.textContent = text; }
    });
  }

  function apply() {
    var root = document.getElementById('react-entry-point') || document.body;
    linkNamesAndDescriptions(root);
    root.querySelectorAll(CONTROLS).forEach(function (el) {
      if (el.getAttribute('aria-hidden') === 'true') { return; }
      if (el.tagName === 'BUTTON') { symbolButton(el); }
      if (!hasName(el)) { nameFrom(el); }
    });
    root.querySelectorAll('mjx-container[tabindex]').forEach(function (m) {
      if (m.getAttribute('tabindex') !== '-1') { m.setAttribute('tabindex', '-1'); }
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(function () { pending = false; apply(); });
  }

  // ------------------------------------------------------------ reduced motion
  // The OS preference, or the header's switch (kept for the visit in localStorage): no autoplay on load.
  var STORE = 'optiscape-reduced-motion';
  function stored() { try { return window.localStorage.getItem(STORE); } catch (e) { return null; } }
  function reducedMotion() {
    var choice = stored();
    if (choice === '1') { return true; }
    if (choice === '0') { return false; }
    return !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
  }
  function showMotion() {
    var on = reducedMotion(), app = document.getElementById('root'), button = document.getElementById('motion-toggle');
    if (app) { app.classList.toggle('reduced-motion', on); }
    if (button && button.getAttribute('aria-pressed') !== String(on)) { button.setAttribute('aria-pressed', String(on)); }
  }
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest && event.target.closest('#motion-toggle');
    if (!button) { return; }
    try { window.localStorage.setItem(STORE, reducedMotion() ? '0' : '1'); } catch (e) { /* private mode */ }
    showMotion();
    if (reducedMotion() && window.optiscapePlayer) { window.optiscapePlayer.pause(); }
  });
  window.optiscapeReducedMotion = reducedMotion;

  function start() {
    apply();
    showMotion();
    new MutationObserver(function () { schedule(); showMotion(); })
      .observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
