/* Phone check-in: read the position when the button is pressed, then let htmx post it with the form. Without
 * a connection the check-in is queued in IndexedDB with the phone's time and a UUID made here, and sent once
 * the connection is back (the server stores it at that time, flagged as sent late, once per UUID). */
(function () {
  "use strict";

  var GEO_OPTIONS = { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 };
  var SELFIE_MAX_BYTES = 2 * 1024 * 1024;

  function parts(form) {
    return {
      button: form.querySelector("button[type=submit]"),
      state: form.querySelector("[data-checkin-state]"),
      stateText: form.querySelector("[data-checkin-state-text]"),
      error: form.querySelector("[data-checkin-error]"),
    };
  }

  function showBusy(form, text) {
    var p = parts(form);
    p.error.hidden = true;
    p.stateText.textContent = text;
    p.state.hidden = false;
    p.button.disabled = true;
    form.setAttribute("aria-busy", "true");
  }

  function showError(form, text) {
    var p = parts(form);
    p.state.hidden = true;
    p.button.disabled = false;
    p.error.textContent = text;
    p.error.hidden = false;
    form.removeAttribute("aria-busy");
  }

  function geoMessage(form, error) {
    if (error.code === 1) return form.dataset.msgDenied;
    if (error.code === 3) return form.dataset.msgTimeout;
    return form.dataset.msgUnavailable;
  }

  function selfieTooBig(form) {
    var input = form.querySelector("input[type=file]");
    return input && input.files && input.files[0] && input.files[0].size > SELFIE_MAX_BYTES;
  }

  // Reads the position, fills the hidden fields and calls send(); reports any failure on the form.
  function locateThen(form, send) {
    if (selfieTooBig(form)) return showError(form, form.dataset.msgSelfie);
    // Browsers give the position only to HTTPS pages (and localhost).
    if (!("geolocation" in navigator) || !window.isSecureContext) {
      return showError(form, form.dataset.msgUnsupported);
    }
    showBusy(form, form.dataset.msgLocating);
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude;
      form.elements.lon.value = position.coords.longitude;
      form.elements.accuracy.value = position.coords.accuracy;
      if (form.elements.altitude) form.elements.altitude.value = position.coords.altitude == null ? "" : position.coords.altitude;
      showBusy(form, form.dataset.msgSending);
      send();
    }, function (error) {
      showError(form, geoMessage(form, error));
    }, GEO_OPTIONS);
  }

  function isCheckinForm(element) {
    return element && element.matches && element.matches("form[data-checkin-form]");
  }

  /* A random id made once and kept in this browser: the server stores only its keyed hash, so one phone used for
   * several people's check-ins shows. Without storage (private mode refusing it) the check-in goes without. */
  var BROWSER_KEY = "satulayar.checkin.browser";

  function browserId() {
    try {
      var id = window.localStorage.getItem(BROWSER_KEY);
      if (!id) {
        id = window.SatuLayarOffline.uuid();
        window.localStorage.setItem(BROWSER_KEY, id);
      }
      return id;
    } catch (e) {
      return "";
    }
  }

  // Each attempt gets its UUID and time now: if its answer is lost, the queued copy is the same check-in.
  function stamp(form) {
    form.elements.client_uuid.value = window.SatuLayarOffline.uuid();
    if (form.elements.browser_id) form.elements.browser_id.value = browserId();
    form.dataset.madeAt = new Date().toISOString();
  }

  // htmx asks before it sends; the request goes out once the position is known.
  document.addEventListener("htmx:confirm", function (event) {
    if (!isCheckinForm(event.target)) return;
    event.preventDefault();
    stamp(event.target);
    locateThen(event.target, function () {
      if (navigator.onLine) event.detail.issueRequest(true);
      else queue.add(event.target);
    });
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (isCheckinForm(event.target)) queue.add(event.target);
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (isCheckinForm(event.target)) showError(event.target, event.target.dataset.msgServer);
  });

  // Without htmx (it failed to load) the form still works as a plain post, after the position is read.
  document.addEventListener("submit", function (event) {
    if (window.htmx || !isCheckinForm(event.target)) return;
    event.preventDefault();
    stamp(event.target);
    locateThen(event.target, function () { event.target.submit(); });
  });

  const queue = checkinQueue(document.getElementById("checkin-queue"), { showError: showError, parts: parts });

  /* The check-ins made without a connection, as stored in IndexedDB: listed under the form, sent when the
   * connection is back, a refusal kept with its reason until the ASN resends or drops it. */
  function checkinQueue(box, ui) {
    const offline = window.SatuLayarOffline;
    const STORE = "checkins";
    const user = Number(box.dataset.user);
    let sending = false;
    let timer = null;

    const time = (iso) => new Date(iso).toLocaleTimeString("id-ID", {hour: "2-digit", minute: "2-digit",
                                                                       timeZone: box.dataset.zone || undefined});
    const mine = () => offline.store.by(STORE, user);

    async function add(form) {
      const item = {uuid: form.elements.client_uuid.value || offline.uuid(), user: user,
                    device_at: form.dataset.madeAt || new Date().toISOString(),
                    lat: Number(form.elements.lat.value), lon: Number(form.elements.lon.value),
                    accuracy_m: Number(form.elements.accuracy.value),
                    browser_id: form.elements.browser_id ? form.elements.browser_id.value : "",
                    state: "queued", tries: 0};
      try { await offline.store.put(STORE, [item]); }
      catch (e) { return ui.showError(form, offline.storageMessage(e)); }
      const p = ui.parts(form);
      p.state.hidden = true;
      p.button.disabled = false;
      form.removeAttribute("aria-busy");
      await render();
      schedule();
    }

    function line(item) {
      const div = document.createElement("div");
      const queued = item.state === "queued";
      div.className = "alert mb-2 " + (queued ? "alert-warning" : "alert-danger");
      div.dataset.testid = queued ? "checkin-queued" : "checkin-refused";
      div.setAttribute("role", queued ? "status" : "alert");
      div.textContent = queued ? box.dataset.msgQueued.replace("{time}", time(item.device_at))
        : `${box.dataset.msgRefused.replace("{time}", time(item.device_at))} ${item.reason}`;
      if (!queued) {
        div.append(button(box.dataset.msgResend, async () => {
          await offline.store.put(STORE, [{...item, state: "queued", reason: "", tries: 0, retryAt: 0}]);
          flush();
        }), button(box.dataset.msgDrop, async () => { await offline.store.remove(STORE, [item.uuid]); render(); }));
      }
      return div;
    }

    function button(label, action) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-danger ms-2";
      b.textContent = label;
      b.addEventListener("click", action);
      return b;
    }

    async function render(sentMessage) {
      const items = await mine();
      const lines = items.sort((a, b) => a.device_at.localeCompare(b.device_at)).map(line);
      if (sentMessage) {
        const done = document.createElement("div");
        done.className = "alert alert-success mb-2";
        done.dataset.testid = "checkin-synced";
        done.setAttribute("role", "status");
        done.textContent = sentMessage;
        lines.unshift(done);
      }
      box.replaceChildren(...lines);
    }

    async function send(item) {
      const csrf = document.querySelector("#checkin-form input[name=csrfmiddlewaretoken]");
      let response;
      try {
        response = await fetch(box.dataset.apiUrl, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : ""},
          body: JSON.stringify({uuid: item.uuid, device_at: item.device_at, lat: item.lat, lon: item.lon,
                                accuracy_m: item.accuracy_m, browser_id: item.browser_id || ""}),
        });
      } catch (e) {
        await offline.store.put(STORE, [{...item, tries: item.tries + 1, retryAt: Date.now() + offline.backoff(item.tries)}]);
        return "offline";
      }
      if (response.ok) { await offline.store.remove(STORE, [item.uuid]); return "sent"; }
      const refusal = await offline.refusal(response);
      const changes = refusal.transient ? {tries: item.tries + 1, retryAt: Date.now() + offline.backoff(item.tries)}
        : {state: "refused", reason: refusal.reason};
      await offline.store.put(STORE, [{...item, ...changes}]);
      return refusal.transient ? "retry" : "refused";
    }

    async function schedule() {
      clearTimeout(timer);
      const waits = (await mine()).filter((i) => i.state === "queued").map((i) => (i.retryAt || 0) - Date.now());
      if (waits.length) timer = setTimeout(flush, Math.max(1000, Math.min(...waits)));
    }

    async function flush() {
      if (sending || !navigator.onLine) return;
      sending = true;
      let sent = false;
      try {
        for (const item of (await mine()).filter((i) => i.state === "queued" && !(i.retryAt > Date.now()))) {
          const outcome = await send(item);
          if (outcome === "offline") break;
          sent = sent || outcome === "sent";
        }
      } finally { sending = false; }
      await render(sent ? box.dataset.msgSent : "");
      if (sent && window.htmx) window.htmx.ajax("GET", box.dataset.panelUrl, {target: "#checkin-panel", swap: "outerHTML"});
      schedule();
    }

    window.addEventListener("online", async () => {
      const items = (await mine()).filter((i) => i.state === "queued").map((i) => ({...i, retryAt: 0}));
      await offline.store.put(STORE, items);
      flush();
    });
    render().then(flush, (e) => { box.textContent = offline.storageMessage(e); });
    offline.keepOffline([]);
    return {add: add};
  }
})();
