// Small page behaviours declared with data attributes, so templates carry no inline handlers
// (the Content-Security-Policy refuses them). Listeners sit on the document: htmx-swapped parts work too.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("[data-autosubmit]")) field.form.requestSubmit();
  else if (field.matches("[data-navigate]") && field.value) window.location.href = field.value;
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// Tables marked data-stack become stacked cards on a phone (CSS in satulayar.css): each cell is labelled with its
// column's heading, so a row reads "Status: Hadir" instead of running off the screen.
function labelStackedTables(root) {
  root.querySelectorAll("table[data-stack]").forEach((table) => {
    const labels = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr, tfoot tr").forEach((row) => {
      Array.from(row.children).forEach((cell, index) => {
        if (index > 0 && labels[index] && !cell.dataset.label) cell.dataset.label = labels[index];
      });
    });
  });
}
labelStackedTables(document);
document.addEventListener("htmx:afterSwap", (event) => labelStackedTables(event.target));
