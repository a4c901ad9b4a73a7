// The queue display: live through Server-Sent Events, with an optional sound cue (a user gesture turns it on).
(function () {
  "use strict";
  const body = document.body;
  const board = document.getElementById("board");
  const toggle = document.getElementById("sound-toggle");
  const connection = document.getElementById("display-connection");
  const clock = document.getElementById("display-clock");
  let soundOn = false;
  let audio = null;

  function refresh() {
    return fetch(body.dataset.board, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { board.innerHTML = html; })
      .catch(function () { /* the next event or the periodic refresh tries again */ });
  }

  function beep() {
    if (!audio) return;
    [[880, 0], [660, 0.28]].forEach(function (tone) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + tone[1];
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.26);
    });
  }

  function say(text) {
    if (!text || !("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang === "en" ? "en-US" : "id-ID";
    const voice = speechSynthesis.getVoices().find(function (v) { return v.lang.replace("_", "-") === utterance.lang; });
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    speechSynthesis.speak(utterance);
  }

  function announce(data) {
    refresh().then(function () {
      const called = board.querySelector(".display-called");
      if (called) called.classList.add("flash");
    });
    if (!soundOn) return;
    beep();
    setTimeout(function () { say(data.say); }, 700);
  }

  toggle.addEventListener("click", function () {
    soundOn = !soundOn;
    if (soundOn) {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      audio.resume();
      beep();
    }
    toggle.setAttribute("aria-pressed", String(soundOn));
    toggle.textContent = soundOn ? body.dataset.soundOn : body.dataset.soundOff;
  });

  const source = new EventSource(body.dataset.stream);
  source.onopen = function () {
    connection.dataset.state = "online";
    connection.textContent = connection.dataset.online;
  };
  source.onerror = function () {  // EventSource reconnects by itself, sending Last-Event-ID
    connection.dataset.state = "offline";
    connection.textContent = connection.dataset.offline;
  };
  ["ticket.called", "ticket.recalled"].forEach(function (kind) {
    source.addEventListener(kind, function (e) { announce(JSON.parse(e.data)); });
  });
  ["ticket.issued", "ticket.serving", "ticket.done", "ticket.no_show", "ticket.cancelled"].forEach(function (kind) {
    source.addEventListener(kind, refresh);
  });
  setInterval(refresh, 60000);  // a safety net: a missed event costs at most a minute

  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "id", {
    hour: "2-digit", minute: "2-digit", timeZone: body.dataset.timezone,
  });
  setInterval(function () { clock.textContent = timeFormat.format(new Date()).replace(":", "."); }, 5000);
})();
