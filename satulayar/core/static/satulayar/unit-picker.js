// A searchable picker for a long <select multiple data-unit-picker> (238 units on a phone): type to filter, tick
// one or more, see what is chosen. The select stays in the form and carries the choice; without JavaScript it is
// the plain list.
(function () {
  "use strict";
  let serial = 0;
  function setup(select) {
    serial += 1;
    const id = "unit-picker-" + serial;
    const wrap = document.createElement("div");
    wrap.className = "unit-picker";
    const search = document.createElement("input");
    search.type = "search";
    search.id = id;
    search.className = "form-control";
    search.placeholder = select.dataset.placeholder || "";
    search.setAttribute("autocomplete", "off");
    search.setAttribute("aria-controls", id + "-list");
    const chosen = document.createElement("div");
    chosen.className = "unit-picker-chosen";
    chosen.setAttribute("aria-live", "polite");
    const list = document.createElement("div");
    list.id = id + "-list";
    list.className = "unit-picker-list list-group list-group-flush";
    list.setAttribute("role", "group");
    const items = Array.prototype.map.call(select.options, function (option) {
      const depth = (option.text.match(/^(· )*/)[0].length) / 2;
      const name = option.text.replace(/^(· )*/, "");
      const label = document.createElement("label");
      label.className = "list-group-item list-group-item-action d-flex gap-2 align-items-center unit-picker-item";
      label.style.paddingLeft = (0.75 + depth * 1.1) + "rem";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input m-0 flex-shrink-0";
      box.checked = option.selected;
      box.addEventListener("change", function () { option.selected = box.checked; showChosen(); });
      const text = document.createElement("span");
      text.textContent = name;
      label.appendChild(box);
      label.appendChild(text);
      list.appendChild(label);
      return { option: option, label: label, box: box, name: name.toLowerCase() };
    });
    const empty = document.createElement("div");
    empty.className = "text-secondary small p-2";
    empty.textContent = select.dataset.none || "";
    empty.hidden = true;
    list.appendChild(empty);

    function showChosen() {
      chosen.replaceChildren();
      items.filter(function (i) { return i.option.selected; }).forEach(function (i) {
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "btn btn-sm btn-outline-primary me-1 mb-1";
        chip.textContent = i.label.textContent + " \u00d7";
        chip.setAttribute("aria-label", (select.dataset.remove || "Hapus") + " " + i.label.textContent);
        chip.addEventListener("click", function () { i.option.selected = false; i.box.checked = false; showChosen(); });
        chosen.appendChild(chip);
      });
    }
    search.addEventListener("input", function () {
      const query = search.value.trim().toLowerCase();
      let shown = 0;
      items.forEach(function (i) {
        const match = !query || i.name.indexOf(query) >= 0;
        i.label.hidden = !match;
        if (match) shown += 1;
      });
      empty.hidden = shown > 0;
    });
    wrap.appendChild(search);
    wrap.appendChild(chosen);
    wrap.appendChild(list);
    select.hidden = true;
    select.removeAttribute("aria-describedby");
    select.setAttribute("tabindex", "-1");
    select.parentNode.insertBefore(wrap, select);
    const formLabel = document.querySelector('label[for="' + select.id + '"]');
    if (formLabel) formLabel.htmlFor = id;
    showChosen();
  }
  document.querySelectorAll("select[data-unit-picker]").forEach(setup);
})();
