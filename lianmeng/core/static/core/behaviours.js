/* Small behaviours shared by every page, wired by data-* attributes (the CSP allows no inline handlers):
   data-confirm="问题"   on a button or link: ask before submitting / following it;
   data-autosubmit       on a select: submit its form when the choice changes;
   data-select-on-click  on a read-only input: select its text for copying. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var asker = event.target.closest("[data-confirm]");
    if (asker && !window.confirm(asker.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var selectable = event.target.closest("[data-select-on-click]");
    if (selectable) {
      selectable.select();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) {
      if (select.form.requestSubmit) {
        select.form.requestSubmit();
      } else {
        select.form.submit();
      }
    }
  });
})();
