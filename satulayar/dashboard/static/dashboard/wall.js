// Wall mode: show the panels in turn, keep the clock, and go full screen on request.
(function () {
  "use strict";
  const stage = document.getElementById("dashboard");
  const slides = Array.from(document.querySelectorAll(".wall-slide"));
  const dots = Array.from(document.querySelectorAll("[data-dot]"));
  const pause = document.getElementById("wall-pause");
  const clock = document.getElementById("wall-clock");
  let current = 0;
  let paused = false;

  function show(index) {
    current = (index + slides.length) % slides.length;
    slides.forEach(function (s, i) { s.classList.toggle("active", i === current); });
    dots.forEach(function (d, i) { d.classList.toggle("active", i === current); });
    // A chart drawn while hidden has no size; draw the visible one again.
    if (window.satulayarDraw) window.satulayarDraw(slides[current]);
  }

  show(0);
  setInterval(function () { if (!paused && slides.length > 1) show(current + 1); },
    1000 * Number(stage.dataset.rotate || 20));
  pause.addEventListener("click", function () {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? pause.dataset.play : pause.dataset.pause;
  });
  document.getElementById("wall-full").addEventListener("click", function () {
    if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") show(current + 1);
    if (e.key === "ArrowLeft") show(current - 1);
  });
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "id",
    { hour: "2-digit", minute: "2-digit", timeZone: document.body.dataset.timezone });
  setInterval(function () { clock.textContent = timeFormat.format(new Date()).replace(":", "."); }, 5000);
})();
