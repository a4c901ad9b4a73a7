/* The attendance kiosk at an office door: a clock in the city's zone, the NIP or PIN, a selfie from the camera
 * (or, without one, the file picker's camera), then the result for a few seconds and back to the start.
 * Without a connection the check-in (its UUID, the kiosk's time and the selfie) waits in IndexedDB and is sent
 * once the connection is back; the server stores it at the kiosk's time, once per UUID, flagged as sent late. */
(function () {
  "use strict";
  const offline = window.SatuLayarOffline;
  const STORE = "kiosk-punches";
  const form = document.getElementById("kiosk-form");
  const msg = form.dataset;
  const kiosk = form.getAttribute("action");  // the punch URL names this kiosk in the shared queue
  const $ = (name) => document.querySelector(`[data-kiosk-${name}]`);
  const video = $("video");
  const result = $("result");
  let stream = null;
  let awaitingConfirm = null;
  let sending = false;

  function tickClock() {
    const clock = $("clock");
    const zone = clock.dataset.zone || undefined;
    const lang = document.documentElement.lang || "id";
    const now = new Date();
    clock.textContent = now.toLocaleTimeString(lang, {hour: "2-digit", minute: "2-digit", timeZone: zone});
    $("date").textContent = now.toLocaleDateString(lang, {weekday: "long", day: "numeric", month: "long",
                                                          year: "numeric", timeZone: zone});
  }

  async function startCamera() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "user", width: {ideal: 640}}});
    } catch (error) {
      return;  // no camera or no permission: the file input stays
    }
    video.srcObject = stream;
    video.hidden = false;
    $("fallback").hidden = true;
  }

  function snapshot() {
    if (stream && video.videoWidth) {
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    }
    const input = document.getElementById("kiosk-selfie");
    return Promise.resolve(input.files && input.files[0] ? input.files[0] : null);
  }

  function state(text) { $("state").textContent = text || ""; }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = !text;
    state("");
  }

  function showResult(heading, name, detail, selfie) {
    form.hidden = true;
    $("heading").textContent = heading;
    $("name").textContent = name || "";
    $("detail").textContent = detail || "";
    const photo = $("photo");
    if (photo.src) URL.revokeObjectURL(photo.src);
    photo.hidden = !selfie;
    if (selfie) photo.src = URL.createObjectURL(selfie);
    result.hidden = false;
    result.focus();
    setTimeout(startOver, Number(msg.resultSeconds) * 1000);
  }

  function startOver() {
    result.hidden = true;
    form.hidden = false;
    form.reset();
    awaitingConfirm = null;
    $("confirm").hidden = true;
    showError("");
    document.getElementById("kiosk-identity").focus();
  }

  function body(item, queued) {
    const data = new FormData();
    data.append("identity", item.identity);
    data.append("client_uuid", item.uuid);
    data.append("selfie", item.selfie, "selfie.jpg");
    if (item.confirm) data.append("confirm_early", "1");
    if (queued) data.append("device_at", item.device_at);  // a live check-in takes the server's time
    return data;
  }

  async function sendNow(item) {
    state(msg.sending);
    let response;
    try {
      response = await fetch(kiosk, {method: "POST", body: body(item, false), credentials: "omit"});
    } catch (error) {
      return queue(item);
    }
    const answer = await response.json().catch(() => null);
    state("");
    if (response.ok && answer) return showResult(answer.heading, answer.name, answer.detail, item.selfie);
    if (answer && answer.code === "early_leave") {
      awaitingConfirm = item;
      $("confirm").hidden = false;
      return showError(answer.detail);
    }
    showError((answer && answer.detail) || `${offline.text.refused} (HTTP ${response.status})`);
  }

  async function queue(item) {
    try {
      await offline.store.put(STORE, [{...item, kiosk: kiosk, state: "queued", tries: 0}]);
    } catch (error) {
      return showError(offline.storageMessage(error));
    }
    state("");
    showResult(msg.queuedHeading, "", msg.queued, item.selfie);
    showPending();
  }

  async function showPending(note) {
    const items = await offline.store.by(STORE, kiosk);
    const line = items.length ? msg.pending.replace("{n}", items.length) : "";
    $("queue").textContent = [note, line].filter(Boolean).join(" ");
  }

  async function sendQueued(item) {
    let response;
    try {
      response = await fetch(kiosk, {method: "POST", body: body(item, true), credentials: "omit"});
    } catch (error) {
      await offline.store.put(STORE, [{...item, tries: item.tries + 1, retryAt: Date.now() + offline.backoff(item.tries)}]);
      return {outcome: "offline"};
    }
    if (response.ok) {
      await offline.store.remove(STORE, [item.uuid]);
      return {outcome: "sent"};
    }
    const refusal = await offline.refusal(response);
    if (refusal.transient) {
      await offline.store.put(STORE, [{...item, tries: item.tries + 1, retryAt: Date.now() + offline.backoff(item.tries)}]);
      return {outcome: "retry"};
    }
    // No one stands at the kiosk to act on it any more: the refusal is shown, and the person corrects the day.
    await offline.store.remove(STORE, [item.uuid]);
    const time = new Date(item.device_at).toLocaleTimeString(document.documentElement.lang || "id",
      {hour: "2-digit", minute: "2-digit", timeZone: $("clock").dataset.zone || undefined});
    return {outcome: "refused", note: `${msg.refused.replace("{time}", time)} ${refusal.reason}`};
  }

  async function flush() {
    if (sending || !navigator.onLine) return;
    sending = true;
    const notes = [];
    try {
      const items = (await offline.store.by(STORE, kiosk)).filter((i) => !(i.retryAt > Date.now()));
      for (const item of items.sort((a, b) => a.device_at.localeCompare(b.device_at))) {
        const sent = await sendQueued(item);
        if (sent.outcome === "offline") break;
        if (sent.outcome === "sent" && !notes.includes(msg.sent)) notes.push(msg.sent);
        if (sent.note) notes.push(sent.note);
      }
    } finally { sending = false; }
    showPending(notes.join(" "));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const identity = form.elements.identity.value.trim();
    if (!identity) return showError(msg.noIdentity);
    const selfie = await snapshot();
    if (!selfie) return showError(msg.noSelfie);
    showError("");
    const item = {uuid: offline.uuid(), identity: identity, selfie: selfie, device_at: new Date().toISOString()};
    if (navigator.onLine) sendNow(item);
    else queue(item);
  });

  $("confirm-yes").addEventListener("click", () => {
    if (!awaitingConfirm) return;
    $("confirm").hidden = true;
    sendNow({...awaitingConfirm, confirm: true});
  });
  $("confirm-no").addEventListener("click", startOver);

  window.addEventListener("online", flush);
  setInterval(flush, 15000);
  setInterval(tickClock, 1000);
  tickClock();
  startCamera();
  showPending().then(flush, (error) => showError(offline.storageMessage(error)));
  offline.keepOffline([]);
})();
