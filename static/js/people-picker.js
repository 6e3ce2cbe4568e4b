// The what-if page's people picker. The box asks reports:people-search as one types (htmx on the
// input), which answers with the listbox of matching people; this file makes that listbox usable
// with the keyboard and turns a pick into a chip, a hidden input people=<id> the form sends.
// Without JavaScript the box is a plain field for emails and each chip's link takes its person out.
// No inline scripts or styles (CSP).
(function () {
  "use strict";

  function setup(picker) {
    var input = picker.querySelector('input[name="what_if"]');
    var chips = picker.querySelector("[data-chips]");
    var template = picker.querySelector("template[data-chip-template]");
    var status = picker.querySelector("[data-picker-status]");
    var listId = input.getAttribute("hx-target").slice(1);

    // A combobox only once the script runs: without it the box is a plain text field.
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");

    function listbox() {
      return document.getElementById(listId);
    }
    function options() {
      var box = listbox();
      return box ? Array.prototype.slice.call(box.querySelectorAll('[role="option"]:not([aria-disabled="true"])')) : [];
    }
    function show(open) {
      var box = listbox();
      if (box) box.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function announce(text) {
      status.textContent = text;
    }

    // An answer is shown only if it is for what the box holds now: while one types, the list of
    // the letters before is hidden, so that Enter never picks from it.
    input.addEventListener("input", function () {
      show(false);
    });
    // After the settle: htmx puts the swapped listbox's own attributes (hidden) back by then.
    document.addEventListener("htmx:afterSettle", function (event) {
      if (event.target.id !== listId) return;
      var box = listbox();
      var text = input.value.trim();
      if (!box || !text || box.dataset.for !== text) return show(false);
      show(box.children.length > 0);
      var found = options().length;
      announce(found === 0 ? "Nobody matches." : found === 1 ? "1 person matches." : found + " people match.");
    });

    function chosen(id) {
      return chips.querySelector('input[name="people"][value="' + id + '"]');
    }

    function pick(option) {
      var id = option.dataset.id;
      var label = option.dataset.label;
      if (!chosen(id)) {
        var chip = template.content.firstElementChild.cloneNode(true);
        chip.querySelector('input[name="people"]').value = id;
        chip.querySelector("[data-chip-label]").textContent = label;
        chip.querySelector("[data-remove-chip]").setAttribute("aria-label", "Take " + label + " out");
        chips.appendChild(chip);
      }
      input.value = "";
      show(false);
      input.focus();
      announce(label + " added. Press Simulate when everyone is there.");
    }

    // Keyboard: Down enters the list, Up and Down move in it (the focused option is outlined by
    // the site's focus style), Enter or Space picks, Escape goes back to the box.
    input.addEventListener("keydown", function (event) {
      var open = input.getAttribute("aria-expanded") === "true";
      var all = options();
      if (event.key === "ArrowDown" && open && all.length) {
        event.preventDefault();
        all[0].focus();
      } else if (event.key === "Enter" && open && all.length === 1) {
        event.preventDefault(); // one match: pick it rather than send what is half typed
        pick(all[0]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        show(false);
      }
    });

    picker.addEventListener("keydown", function (event) {
      var option = event.target.closest('[role="option"]');
      if (!option) return;
      var all = options();
      var at = all.indexOf(option);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = at + (event.key === "ArrowDown" ? 1 : -1);
        if (next < 0) input.focus();
        else if (next < all.length) all[next].focus();
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(option);
      } else if (event.key === "Escape") {
        event.preventDefault();
        show(false);
        input.focus();
      } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) {
        input.focus(); // typing goes on in the box
      }
    });

    picker.addEventListener("focusin", function (event) {
      var option = event.target.closest('[role="option"]');
      options().forEach(function (o) {
        o.setAttribute("aria-selected", o === option ? "true" : "false");
      });
    });

    // Leaving the picker closes the list.
    picker.addEventListener("focusout", function (event) {
      if (!picker.contains(event.relatedTarget)) show(false);
    });

    picker.addEventListener("mousedown", function (event) {
      if (event.target.closest('[role="option"]')) event.preventDefault(); // keep the focus in the box
    });

    picker.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]:not([aria-disabled="true"])');
      if (option) return pick(option);
      var remove = event.target.closest("[data-remove-chip]");
      if (!remove) return;
      event.preventDefault(); // the link is for pages without JavaScript; here the chip just goes
      var chip = remove.closest(".whatif-chip");
      var label = chip.querySelector("[data-chip-label]").textContent;
      chip.remove();
      input.focus();
      announce(label + " taken out.");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-people-picker]").forEach(setup);
  });
})();
