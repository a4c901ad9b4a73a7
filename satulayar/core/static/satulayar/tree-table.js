// A hierarchy table ([data-tree-table]) that reads at a glance: sub-units folded under their parent (a parent
// row's numbers already sum its subtree), a search that keeps the matches' parents, and sorting of siblings by any
// column. Without JavaScript the whole tree stays open, as the server wrote it.
(function () {
  "use strict";
  function setup(card) {
    const tbody = card.querySelector("tbody");
    const rows = Array.prototype.slice.call(tbody.rows);
    const byId = new Map(rows.map(function (row) { return [row.dataset.id, row]; }));
    const open = new Set();
    const search = card.querySelector("[data-tree-search]");
    const tools = card.querySelector("[data-tree-tools]");
    if (search) search.hidden = false;
    if (tools) tools.hidden = false;

    function parentOf(row) { return row.dataset.parent ? byId.get(row.dataset.parent) : null; }
    function ancestorsOpen(row) {
      for (let p = parentOf(row); p; p = parentOf(p)) if (!open.has(p.dataset.id)) return false;
      return true;
    }

    rows.forEach(function (row) {
      const cell = row.cells[0];
      if (!row.hasAttribute("data-has-children")) {
        const spacer = document.createElement("span");
        spacer.className = "tree-spacer";
        spacer.setAttribute("aria-hidden", "true");
        cell.insertBefore(spacer, cell.firstChild);
        return;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-ghost-secondary tree-toggle";
      button.textContent = "\u25b8";
      button.addEventListener("click", function () {
        if (open.has(row.dataset.id)) open.delete(row.dataset.id); else open.add(row.dataset.id);
        render();
      });
      cell.insertBefore(button, cell.firstChild);
    });

    function matches(row, query) { return row.cells[0].dataset.value.toLowerCase().indexOf(query) >= 0; }

    function render() {
      const query = search ? search.value.trim().toLowerCase() : "";
      const shown = new Set();
      if (query) {
        rows.forEach(function (row) {
          if (!matches(row, query)) return;
          for (let r = row; r; r = parentOf(r)) shown.add(r);
        });
      }
      rows.forEach(function (row) {
        const visible = query ? shown.has(row) : ancestorsOpen(row);
        row.hidden = !visible;
        const button = row.querySelector(".tree-toggle");
        if (button) {
          const expanded = query ? true : open.has(row.dataset.id);
          button.setAttribute("aria-expanded", String(expanded));
          button.setAttribute("aria-label", (expanded ? "Tutup " : "Buka ") + row.cells[0].dataset.value);
          button.textContent = expanded ? "\u25be" : "\u25b8";
        }
      });
    }

    // Sorting keeps the tree: siblings are ordered among themselves, each followed by its own subtree.
    function sortBy(index, numeric, descending) {
      const children = new Map();
      rows.forEach(function (row) {
        const key = row.dataset.parent && byId.has(row.dataset.parent) ? row.dataset.parent : "";
        if (!children.has(key)) children.set(key, []);
        children.get(key).push(row);
      });
      function value(row) {
        const raw = row.cells[index].dataset.value || row.cells[index].textContent;
        return numeric ? Number(raw) : raw.toLowerCase();
      }
      const ordered = [];
      (function walk(key) {
        (children.get(key) || []).slice().sort(function (a, b) {
          const x = value(a), y = value(b);
          const c = numeric ? x - y : x.localeCompare(y, "id");
          return descending ? -c : c;
        }).forEach(function (row) { ordered.push(row); walk(row.dataset.id); });
      })("");
      ordered.forEach(function (row) { tbody.appendChild(row); });
    }

    card.querySelectorAll("thead th[data-sort]").forEach(function (th, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link p-0 text-reset fw-bold tree-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        const descending = th.getAttribute("aria-sort") === "ascending";
        card.querySelectorAll("thead th[data-sort]").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        sortBy(index, th.dataset.sort === "number", descending);
      });
    });

    if (search) search.addEventListener("input", render);
    card.querySelectorAll("[data-tree-expand]").forEach(function (button) {
      button.addEventListener("click", function () {
        open.clear();
        if (button.dataset.treeExpand === "all") rows.forEach(function (row) { open.add(row.dataset.id); });
        render();
      });
    });
    render();
  }
  document.querySelectorAll("[data-tree-table]").forEach(setup);
})();
