// Opens the browser's print dialog once the ticket is laid out; the kiosk returns to its page afterwards.
(function () {
  const body = document.body;
  const back = body.dataset.back;
  document.getElementById("print-again").addEventListener("click", () => window.print());
  if (back) window.addEventListener("afterprint", () => { window.location.href = back; });
  if (body.dataset.autoprint === "1") window.addEventListener("load", () => window.setTimeout(() => window.print(), 300));
})();
