/*
 * optiscape: help that works on touch screens.
 *
 * Every control's explanation is its title (the hyperparameter's one-line help from the schema, a
 * button's purpose), which a mouse shows on hover and a finger never does. Here:
 *   - a tap on a label that has an explanation (.param-label, .view-bar-title, a [title] label) opens it
 *     in a bubble under the label; a second tap, a tap elsewhere or Escape closes it;
 *   - a long press (half a second) on any control with a title opens its bubble instead of acting.
 * The bubble is a role="tooltip" element linked with aria-describedby, so a screen reader reads it too.
 */
(function () {
  'use strict';

  var LONG_PRESS_MS = 500;
  var bubble = null, owner = null, press = null, swallowClick = false;

  function explanation(el) {
    var titled = el && el.closest && el.closest('[title]');
    var text = titled ? (titled.getAttribute('title') || '').trim() : '';
    return text ? {el: titled, text: text} : null;
  }

  function close() {
    if (bubble) { bubble.remove(); bubble = null; }
    if (owner) { owner.removeAttribute('aria-describedby'); owner = null; }
  }

  function open(target) {
    var found = explanation(target);
    if (!found) { return false; }
    if (owner === found.el) { close(); return true; }
    close();
    bubble = document.createElement('div');
    bubble.id = 'help-bubble';
    bubble.className = 'help-bubble';
    bubble.setAttribute('role', 'tooltip');
    bubble.textContent = found.text;
    document.body.appendChild(bubble);
    var box = found.el.getBoundingClientRect(), width = Math.min(320, document.documentElement.clientWidth - 16);
    bubble.style.maxWidth = width + 'px';
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    bubble.style.left = left + 'px';
    bubble.style.top = (box.bottom + window.scrollY + 6) + 'px';
    owner = found.el;
    owner.setAttribute('aria-describedby', 'help-bubble');
    return true;
  }

  function isLabel(el) {
    return !!(el && el.closest && el.closest('.param-label, .view-bar-title, label[title], .maps-field-label'));
  }

  document.addEventListener('touchstart', function (event) {
    if (event.touches.length !== 1) { press = null; return; }
    var target = event.target;
    press = {target: target, timer: setTimeout(function () {
      if (press && explanation(target)) { swallowClick = open(target); press = null; }
    }, LONG_PRESS_MS)};
  }, {passive: true});
  function cancelPress() { if (press) { clearTimeout(press.timer); press = null; } }
  document.addEventListener('touchmove', cancelPress, {passive: true});
  document.addEventListener('touchend', cancelPress, {passive: true});
  document.addEventListener('touchcancel', cancelPress, {passive: true});

  document.addEventListener('click', function (event) {
    if (swallowClick) {                     // the click that ends a long press does not act
      swallowClick = false; event.preventDefault(); event.stopPropagation(); return;
    }
    if (bubble && bubble.contains(event.target)) { close(); return; }
    var label = isLabel(event.target) ? event.target : null;
    if (label && open(label)) { event.preventDefault(); return; }
    close();
  }, true);
  document.addEventListener('contextmenu', function (event) {
    if (swallowClick) { event.preventDefault(); }          // a long press on a touch screen: no menu
  });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') { close(); } });
  window.addEventListener('scroll', function () { if (bubble && owner) { close(); } }, {passive: true});
})();
