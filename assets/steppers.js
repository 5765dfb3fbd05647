/*
 * optiscape: number boxes step for their scale (ArrowUp / ArrowDown and the box's − / + buttons).
 *
 * The browser's own stepping adds 1 to a box with step="any" (a learning rate 0.03 -> 1.03). Each
 * box's container says how it steps (data-step, written by webapp/panels/steppers.py):
 *   "log"        x or / 10^0.1 (ten presses: one decade); from 0 up to data-step-floor
 *   "int"        + or - 1
 *   "linear:d"   + or - d
 * The new value is typed into the box and committed as if Enter was pressed (one request).
 */
(function () {
  'use strict';

  var RATIO = Math.pow(10, 0.1);

  function rounded(value, digits) { return Number(value.toPrecision(digits)); }

  function next(rule, floor, value, up) {
    if (!isFinite(value)) { value = 0; }
    if (rule === 'log') {
      if (value <= 0) { return up ? (floor > 0 ? floor : 1e-3) : 0; }
      return rounded(up ? value * RATIO : value / RATIO, 3);
    }
    if (rule === 'int') { return Math.round(value) + (up ? 1 : -1); }
    var delta = parseFloat(rule.split(':')[1]) || 0.1;
    var decimals = Math.max(0, -Math.floor(Math.log10(delta)));
    return Number((value + (up ? delta : -delta)).toFixed(Math.min(decimals + 2, 12)));
  }

  function setValue(input, value) {
    var setter = Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, 'value').set;
    setter.call(input, String(value));
    input.dispatchEvent(new Event('input', {bubbles: true}));
    input.dispatchEvent(new KeyboardEvent('keypress', {key: 'Enter', code: 'Enter', keyCode: 13, which: 13,
                                                       charCode: 13, bubbles: true}));
  }

  function step(input, up) {
    var holder = input.closest('[data-step]');
    if (!holder) { return false; }
    var rule = holder.getAttribute('data-step'), floor = parseFloat(holder.getAttribute('data-step-floor'));
    setValue(input, next(rule, floor, parseFloat(input.value), up));
    return true;
  }

  document.addEventListener('keydown', function (event) {
    var input = event.target;
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') { return; }
    if (!input || input.tagName !== 'INPUT' || input.type !== 'number') { return; }
    if (step(input, event.key === 'ArrowUp')) { event.preventDefault(); event.stopPropagation(); }
  }, true);

  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest && event.target.closest('.dash-input-stepper');
    if (!button) { return; }
    var input = button.parentNode && button.parentNode.querySelector('input[type=number]');
    if (input && step(input, button.classList.contains('dash-stepper-increment'))) {
      event.preventDefault(); event.stopPropagation();
    }
  }, true);

  window.optiscapeSteppers = {next: next};      // for tests
})();
