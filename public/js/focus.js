// After htmx swaps a region in, focus (and so the screen) moves to what is new: the error summary when a form came
// back with errors, else the first heading marked tabindex="-1" in it (the results of a filter or a page change).
// Regions that refresh by themselves (the balance, a payment's state) have neither, so they never steal focus.
// A file, not inline script: the CSP allows script from 'self' only. Without JavaScript the error summary has autofocus.
(function () {
  'use strict';
  var HEADING = 'h1[tabindex="-1"],h2[tabindex="-1"],h3[tabindex="-1"]';
  function focusIn(root) {
    var target = root.matches('.error-summary') ? root : root.querySelector('.error-summary') || root.querySelector(HEADING);
    if (!target) return;
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: 'start' });
  }
  document.addEventListener('htmx:afterSettle', function (e) {
    var t = e.detail && e.detail.target;
    // an outerHTML swap replaced the target: its successor carries the same id
    var root = t && t.isConnected ? t : t && t.id ? document.getElementById(t.id) : null;
    if (root) focusIn(root);
  });
})();
