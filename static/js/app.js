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

  // The skill matrix: one listener for every cell; the cell panel opens in a dialog.
  function matrixSetup() {
    var table = document.getElementById("matrix");
    var dialog = document.getElementById("cell-dialog");
    if (!table || !dialog) return;
    var urlTemplate = table.dataset.cellUrl; // ".../cell/0/0/"

    table.addEventListener("click", function (event) {
      var button = event.target.closest("td button[data-s]");
      if (!button) return;
      var person = button.closest("tr").dataset.p;
      var url = urlTemplate.replace(/\/0\/0\/$/, "/" + person + "/" + button.dataset.s + "/");
      table.querySelectorAll("button.active").forEach(function (b) { b.classList.remove("active"); });
      button.classList.add("active");
      htmx.ajax("GET", url, { target: "#cell-panel", swap: "innerHTML" }).then(function () {
        if (!dialog.open) dialog.showModal();
        var first = dialog.querySelector("input[type=radio]:checked, input[type=radio], .close");
        if (first) first.focus();
      });
    });

    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-close-dialog]") || event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", function () {
      var active = table.querySelector("button.active");
      if (active) active.focus();
    });

    // After a level is saved the server names the cell and its new look.
    document.body.addEventListener("cellUpdated", function (event) {
      var d = event.detail;
      var row = table.querySelector('tr[data-p="' + d.person + '"]');
      var cell = row && row.querySelector('button[data-s="' + d.skill + '"]');
      if (!cell) return;
      cell.className = d.css + " active";
      cell.textContent = String(d.level);
      cell.title = d.title;
    });
  }

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

  document.addEventListener("DOMContentLoaded", matrixSetup);
})();
