// ops-skills: the little behaviour the pages need. No inline scripts (CSP).
(function () {
  "use strict";

  // Forms that destroy or revoke something ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // The skill matrix lives in static/js/matrix.js.

  // A search box above a multiple select hides the options that don't match (people pickers).
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches(".option-filter")) return;
    var select = document.getElementById(box.dataset.filterFor);
    var needle = box.value.trim().toLowerCase();
    Array.prototype.forEach.call(select.options, function (option) {
      option.hidden = needle !== "" && !option.selected && option.text.toLowerCase().indexOf(needle) === -1;
    });
  });
})();
