// The skill matrix: an ARIA grid (one tab stop, arrow keys move a roving tabindex) whose cells
// open their panel in a dialog. No inline scripts or styles (CSP).
(function () {
  "use strict";

  var PAGE_ROWS = 10;

  // Where each header cell sits: the header has spans (the corner, one cell per system), so its
  // rows are laid out once; body and footer rows have none, a cell's column is its index.
  function headLayout(table) {
    var grid = [];
    var start = new Map();
    Array.prototype.forEach.call(table.tHead.rows, function (row, r) {
      grid[r] = grid[r] || [];
      var col = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        while (grid[r][col]) col++;
        start.set(cell, col);
        for (var i = 0; i < cell.rowSpan; i++) {
          grid[r + i] = grid[r + i] || [];
          for (var j = 0; j < cell.colSpan; j++) grid[r + i][col + j] = cell;
        }
        col += cell.colSpan;
      });
    });
    return { grid: grid, start: start };
  }

  function setup() {
    var table = document.getElementById("matrix");
    var dialog = document.getElementById("cell-dialog");
    if (!table || !dialog) return;
    var urlTemplate = table.dataset.cellUrl; // ".../cell/0/0/"
    var head = headLayout(table);
    var headRows = table.tHead.rows.length;
    var rowCount = table.rows.length;
    var column = 1; // the column the arrow keys follow through spanning header cells

    // The element that stands for a cell: its link or button, or the cell itself.
    function itemOf(cell) {
      return cell.querySelector("a, button") || cell;
    }
    function cellAt(r, c) {
      if (r < headRows) return head.grid[r][c] || null;
      return table.rows[r].cells[c] || null;
    }
    function columnOf(cell) {
      return cell.parentElement.rowIndex < headRows ? head.start.get(cell) : cell.cellIndex;
    }
    function rowLength(r) {
      return r < headRows ? head.grid[r].length : table.rows[r].cells.length;
    }

    // Exactly one element of the grid is in the tab order: the cell last focused.
    var current = table.querySelector("tbody td button");
    function makeCurrent(item) {
      if (current && current !== item) current.tabIndex = -1;
      current = item;
      current.tabIndex = 0;
    }
    makeCurrent(current);

    function focusCell(cell) {
      var item = itemOf(cell);
      makeCurrent(item);
      item.focus();
    }

    table.addEventListener("focusin", function (event) {
      var cell = event.target.closest("th, td");
      if (!cell) return;
      makeCurrent(itemOf(cell));
      var c = columnOf(cell);
      // Keep the column when passing through a system's header, which spans several.
      if (c > column || c + cell.colSpan <= column) column = c;
    });

    table.addEventListener("keydown", function (event) {
      var cell = event.target.closest("th, td");
      if (!cell || event.altKey || event.metaKey) return;
      var r = cell.parentElement.rowIndex;
      var c = columnOf(cell);
      var target = null;
      var step;
      switch (event.key) {
        case "ArrowRight":
          target = cellAt(r, c + cell.colSpan);
          break;
        case "ArrowLeft":
          target = c > 0 ? cellAt(r, c - 1) : null;
          break;
        case "ArrowDown":
        case "ArrowUp":
        case "PageDown":
        case "PageUp":
          step = event.key === "ArrowDown" || event.key === "PageDown" ? 1 : -1;
          var distance = event.key.indexOf("Page") === 0 ? PAGE_ROWS : 1;
          var row = r;
          // Skip the rows where a cell spanning rows (the corner) is still the same cell.
          for (var moved = 0; moved < distance; ) {
            var next = row + step;
            if (next < 0 || next >= rowCount) break;
            row = next;
            if (cellAt(row, column) !== cell) moved++;
          }
          target = row !== r ? cellAt(row, column) : null;
          if (target) {
            focusCell(target);
            event.preventDefault();
          }
          return;
        case "Home":
          target = event.ctrlKey ? cellAt(headRows, 0) : cellAt(r, 0);
          break;
        case "End":
          var last = event.ctrlKey ? rowCount - 1 : r;
          target = cellAt(last, rowLength(last) - 1);
          break;
        default:
          return;
      }
      event.preventDefault();
      if (target && target !== cell) {
        column = columnOf(target);
        focusCell(target);
      }
    });

    // The skip link goes straight to the grid's tab stop.
    document.addEventListener("click", function (event) {
      if (!event.target.closest("[data-skip-to-grid]")) return;
      event.preventDefault();
      current.focus();
    });

    table.addEventListener("click", function (event) {
      var button = event.target.closest("td button[data-s]");
      if (!button) return;
      var person = button.closest("tr").dataset.p;
      var url = urlTemplate.replace(/\/0\/0\/$/, "/" + person + "/" + button.dataset.s + "/");
      table.querySelectorAll("button.active").forEach(function (b) { b.classList.remove("active"); });
      button.classList.add("active");
      makeCurrent(button);
      htmx.ajax("GET", url, { target: "#cell-panel", swap: "innerHTML" }).then(function () {
        if (!dialog.open) dialog.showModal();
        focusLevel();
      });
    });

    // In the panel, focus goes to the level control; a viewer who cannot set one gets the heading.
    function focusLevel() {
      var target = dialog.querySelector("input[name=level]:checked") ||
        dialog.querySelector("input[name=level]") ||
        dialog.querySelector("#cell-title");
      if (target) target.focus();
    }

    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-close-dialog]") || event.target === dialog) dialog.close();
    });
    // Closed by the button, Escape or a click outside: back to the cell it opened from. The
    // browser usually has given focus back already, and the close event comes a moment after
    // the dialog closed: an arrow key pressed in between has moved on, and stays where it went.
    dialog.addEventListener("close", function () {
      if (table.contains(document.activeElement)) return;
      var active = table.querySelector("button.active");
      if (active) active.focus();
    });
    // A save swaps the panel's content, and with it the focused button: focus goes to "Saved."
    // (or, after an error, to the level control), so it stays in the dialog and is read out.
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (!dialog.open || event.target.id !== "cell-panel" || dialog.contains(document.activeElement)) return;
      var status = dialog.querySelector("[role=status]");
      if (status) status.focus();
      else focusLevel();
    });

    // After a level is saved the server names the cell and its new look (its column's header and
    // bus factor come in the same response, swapped out of band).
    document.body.addEventListener("cellUpdated", function (event) {
      var d = event.detail;
      var row = table.querySelector('tr[data-p="' + d.person + '"]');
      var cell = row && row.querySelector('button[data-s="' + d.skill + '"]');
      if (!cell) return;
      cell.className = d.css + " active";
      cell.textContent = String(d.level);
      cell.setAttribute("aria-label", d.label);
    });
    // An out-of-band swap replaces a header cell: lay the header out again, and if the old cell
    // held the tab stop, the grid keeps one.
    document.body.addEventListener("htmx:oobAfterSwap", function () {
      head = headLayout(table);
      if (!table.contains(current)) {
        current = table.querySelector("tbody td button.active") || table.querySelector("tbody td button");
        makeCurrent(current);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
