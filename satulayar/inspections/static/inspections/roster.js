/* The sidak roster: every mark is first written to IndexedDB (through SatuLayarOffline), each with a UUID made
 * here, and only then shown as "queued". The queue goes out in chunks that fit the request limit the server
 * announces, a mark with a photo alone in its request. The server stores a UUID once, so sending a chunk again
 * (a lost answer, a reload, a second tab) never doubles a mark. A refusal is kept with its reason and is not
 * sent again by itself; only transient failures are retried, with backoff. */
(function () {
  "use strict";
  const root = document.getElementById("sidak");
  if (!root) return;
  const offline = window.SatuLayarOffline;
  const STORE = "sidak-marks";
  const MAX_MARKS_PER_CHUNK = 200;
  const text = document.getElementById("sidak-text").dataset;
  const inspection = Number(root.dataset.inspection);
  const user = Number(root.dataset.user);
  const budget = Number(root.dataset.requestLimit) - 2048;  // room for the JSON wrapper
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const connection = document.getElementById("connection");
  const pending = document.getElementById("pending");
  const errors = document.getElementById("sync-errors");
  let queue = [];  // this inspector's items for this inspection, as stored
  let sending = false;
  let timer = null;

  const queued = () => queue.filter((m) => m.state === "queued");
  const refused = () => queue.filter((m) => m.state === "refused");
  const rowOf = (employee) => root.querySelector(`[data-testid=roster-row][data-employee="${employee}"]`);

  function setOnline(online) {
    connection.dataset.state = online ? "online" : "offline";
    connection.className = "badge " + (online ? "bg-green-lt" : "bg-orange-lt");
    connection.textContent = online ? text.online : text.offline;
  }

  function showMark(item) {
    const row = rowOf(item.employee);
    if (!row) return;
    row.querySelectorAll("[data-observation]").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.observation === item.observation)));
    row.dataset.mine = item.observation;
    row.dataset.state = item.state;
    const state = row.querySelector("[data-role=state]");
    state.textContent = item.state === "queued" ? text.queued : `${text.rejected}: ${item.reason}`;
    state.classList.toggle("text-danger", item.state === "refused");
  }

  function showProgress() {
    const progress = root.querySelector("[data-role=progress]");
    const waiting = new Set(queued().map((m) => String(m.employee)));
    if (!progress || !waiting.size) return;
    const observed = new Set(Array.from(root.querySelectorAll("[data-testid=roster-row][data-observed]"),
                                        (row) => row.dataset.employee));
    waiting.forEach((id) => observed.add(id));
    progress.textContent = progress.dataset.template.replace("{observed}", observed.size)
      .replace("{scheduled}", progress.dataset.scheduled).replace("{queued}", waiting.size);
  }

  function showErrors(lines, withActions) {
    errors.replaceChildren(...lines.map((line) => {
      const p = document.createElement("div"); p.textContent = line; return p;
    }));
    if (withActions) errors.append(document.getElementById("sidak-refused-actions").content.cloneNode(true));
    errors.classList.toggle("d-none", lines.length === 0);
  }

  function showRefused() {
    const lines = refused().map((m) => {
      const row = rowOf(m.employee);
      return `${row ? row.dataset.name + ": " : ""}${m.reason}`;
    });
    showErrors(lines, lines.length > 0);
  }

  function show() {
    const count = queued().length;
    pending.textContent = count ? `${count} ${pending.dataset.labelSome}` : pending.dataset.labelNone;
    pending.dataset.count = String(count);
    queue.forEach(showMark);
    showProgress();
  }

  // Marks queued by the earlier version of this page, in localStorage, move to IndexedDB before anything else.
  async function adoptLegacyQueue() {
    const key = `satulayar.sidak.${inspection}.queue`;
    let legacy = [];
    try { legacy = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { legacy = []; }
    if (!legacy.length) return;
    await offline.store.put(STORE, legacy.map((m) => ({...m, inspection, user, state: "queued", tries: 0})));
    localStorage.removeItem(key);
  }

  async function load() {
    await adoptLegacyQueue();
    queue = (await offline.store.by(STORE, inspection)).filter((m) => m.user === user)
      .sort((a, b) => a.observed_at.localeCompare(b.observed_at));
    show();
    showRefused();
  }

  function encode(img, side, quality) {
    const scale = Math.min(1, side / Math.max(img.width, img.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
    canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", quality);
  }

  // A phone photo (often 5 MB) shrunk until its request fits the server's limit.
  function photoData(input) {
    const file = input && input.files && input.files[0];
    if (!file) return Promise.resolve("");
    if (!file.type.startsWith("image/")) return Promise.reject(new Error(text.photoBad));
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        URL.revokeObjectURL(img.src);
        for (const [side, quality] of [[1280, 0.7], [960, 0.6], [640, 0.5]]) {
          const data = encode(img, side, quality);
          if (data.length + 1024 < budget) return resolve(data);
        }
        reject(new Error(text.photoBig));
      };
      img.onerror = () => reject(new Error(text.photoBad));
      img.src = URL.createObjectURL(file);
    });
  }

  async function enqueue(rows, observation, withDetails) {
    const items = [];
    for (const row of rows) {
      const item = {uuid: offline.uuid(), inspection, user, employee: Number(row.dataset.employee), observation,
                    observed_at: new Date().toISOString(), note: "", photo: "", state: "queued", tries: 0};
      if (withDetails) {
        item.note = row.querySelector("[data-role=note]").value;
        try { item.photo = await photoData(row.querySelector("[data-role=photo]")); }
        catch (e) { showErrors([e.message]); return; }
      }
      items.push(item);
    }
    try { await offline.store.put(STORE, items); }
    catch (e) { showErrors([offline.storageMessage(e)]); return; }
    queue.push(...items);
    show();
    flush();
  }

  // Chunks under the request limit: a mark with a photo alone, the others together.
  function chunks(items) {
    const out = [];
    let chunk = [], size = 0;
    for (const item of items) {
      if (item.photo) { out.push([item]); continue; }
      const length = JSON.stringify(wire(item)).length + 1;
      if (chunk.length && (size + length > budget || chunk.length >= MAX_MARKS_PER_CHUNK)) {
        out.push(chunk); chunk = []; size = 0;
      }
      chunk.push(item); size += length;
    }
    if (chunk.length) out.push(chunk);
    return out;
  }

  function wire(m) {
    return {uuid: m.uuid, employee: m.employee, observation: m.observation, observed_at: m.observed_at,
            note: m.note, photo: m.photo};
  }

  async function forget(uuids) {
    await offline.store.remove(STORE, uuids);
    const gone = new Set(uuids);
    queue = queue.filter((m) => !gone.has(m.uuid));
  }

  async function update(items, changes) {
    items.forEach((m) => Object.assign(m, changes(m)));
    await offline.store.put(STORE, items);
  }

  async function settle(chunk, result) {
    const reasons = new Map((result.rejected || []).map((r) => [r.uuid, r.reason]));
    const stored = new Set([...(result.accepted || []), ...(result.duplicates || [])]);
    await forget([...stored]);
    chunk.filter((m) => stored.has(m.uuid)).forEach((m) => {
      const row = rowOf(m.employee);
      if (row) { row.dataset.state = "saved"; row.querySelector("[data-role=state]").textContent = text.saved; }
    });
    await update(chunk.filter((m) => reasons.has(m.uuid)), (m) => ({state: "refused", reason: reasons.get(m.uuid)}));
    await postpone(chunk.filter((m) => !stored.has(m.uuid) && !reasons.has(m.uuid)));  // not answered for
  }

  const postpone = (chunk) => update(chunk, (m) => ({tries: m.tries + 1, retryAt: Date.now() + offline.backoff(m.tries)}));

  /* Sends one chunk: "sent", "offline", "retry" or "refused". A 413 splits the chunk (the limit may have
   * dropped since the page was loaded); a single mark over it is refused with the reason. */
  async function send(chunk) {
    let response;
    try {
      response = await fetch(root.dataset.batchUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({marks: chunk.map(wire)}),
      });
    } catch (e) {
      await postpone(chunk);
      return "offline";
    }
    if (response.ok) {
      const result = await response.json().catch(() => null);
      if (result) { await settle(chunk, result); return "sent"; }
      await postpone(chunk);  // a 200 that is not our answer: a captive portal, a proxy page
      return "retry";
    }
    const refusal = await offline.refusal(response);
    if (refusal.transient) { await postpone(chunk); return "retry"; }
    if (refusal.status === 413 && chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2);
      const first = await send(chunk.slice(0, half));
      return first === "offline" ? first : send(chunk.slice(half));
    }
    await update(chunk, () => ({state: "refused", reason: refusal.reason}));
    return "refused";
  }

  function schedule() {
    clearTimeout(timer);
    const next = Math.min(...queued().map((m) => m.retryAt || 0));
    if (Number.isFinite(next) && next > Date.now()) timer = setTimeout(flush, next - Date.now());
  }

  async function flush() {
    const due = queued().filter((m) => !(m.retryAt > Date.now()));
    if (sending || !due.length) return schedule();
    if (!navigator.onLine) return setOnline(false);
    sending = true;
    pending.textContent = text.sending;
    let online = true, sent = false;
    try {
      for (const chunk of chunks(due)) {
        const outcome = await send(chunk);
        sent = sent || outcome === "sent";
        if (outcome === "offline") { online = false; break; }
      }
    } finally {
      sending = false;
      setOnline(online);
      show();
      showRefused();
    }
    if (online && queued().some((m) => !(m.retryAt > Date.now()))) return flush();  // marked while sending
    if (sent && !queued().length) refresh();
    schedule();
  }

  // The server's roster replaces the one shown; what the inspector has open or typed (a note, a chosen photo)
  // is carried over, read at the moment of replacing since the fetch may take a while.
  function replaceRoster(holder, html) {
    const kept = Array.from(holder.querySelectorAll("[data-testid=roster-row]"), (row) => ({
      employee: row.dataset.employee, open: row.querySelector("details").open,
      note: row.querySelector("[data-role=note]").value, photo: row.querySelector("[data-role=photo]")}));
    holder.innerHTML = html;
    kept.forEach((old) => {
      const row = rowOf(old.employee);
      if (!row) return;
      row.querySelector("details").open = old.open;
      row.querySelector("[data-role=note]").value = old.note;
      if (old.photo.files && old.photo.files.length) row.querySelector("[data-role=photo]").replaceWith(old.photo);
    });
  }

  async function refresh() {
    const holder = document.getElementById("roster");
    holder.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(root.dataset.partialUrl, {credentials: "same-origin"});
      const html = response.ok ? await response.text() : "";
      if (html && !queued().length) {
        replaceRoster(holder, html);
        show();
      }
    } catch (e) {
      setOnline(false);  // no connection: the roster shown stays as it was
    } finally { holder.setAttribute("aria-busy", "false"); }
  }

  async function retryRefused() {
    await update(refused(), () => ({state: "queued", reason: "", tries: 0, retryAt: 0}));
    showRefused();
    flush();
  }

  async function dropRefused() {
    await forget(refused().map((m) => m.uuid));
    showRefused();
    refresh();
  }

  root.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-observation]");
    if (choice) { enqueue([choice.closest("[data-employee]")], choice.dataset.observation, true); return; }
    const bulk = event.target.closest("[data-bulk]");
    if (bulk) {
      const rows = Array.from(bulk.closest("[data-group]").querySelectorAll("[data-employee]"))
        .filter((row) => !row.dataset.mine);
      enqueue(rows, bulk.dataset.bulk, false);
      return;
    }
    if (event.target.closest("[data-retry-refused]")) { retryRefused(); return; }
    if (event.target.closest("[data-drop-refused]")) { dropRefused(); return; }
    const note = event.target.closest("[data-send-note]");
    if (note) {
      const row = note.closest("[data-employee]");
      if (!row.dataset.mine) { showErrors([text.needMark]); return; }
      enqueue([row], row.dataset.mine, true);
    }
  });
  window.addEventListener("online", async () => {
    setOnline(true);
    await update(queued(), () => ({retryAt: 0}));  // the connection is back: no reason to wait
    flush();
  });
  window.addEventListener("offline", () => setOnline(false));
  setInterval(flush, 15000);
  setOnline(navigator.onLine);
  load().then(flush, (e) => showErrors([offline.storageMessage(e)]));
  offline.keepOffline([root.dataset.partialUrl]);
})();
