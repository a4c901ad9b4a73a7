/* The sidak roster: every mark goes into a queue kept in localStorage, each with a UUID made here, and the
 * queue is sent whenever the browser is online. The server stores a UUID once, so sending the same queue
 * again (after a dropped connection, a reload, a second tab) never doubles a mark. */
(function () {
  "use strict";
  const root = document.getElementById("sidak");
  if (!root) return;
  const text = document.getElementById("sidak-text").dataset;
  const key = "satulayar.sidak." + root.dataset.inspection + ".queue";
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const connection = document.getElementById("connection");
  const pending = document.getElementById("pending");
  const errors = document.getElementById("sync-errors");
  let sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(key, JSON.stringify(queue)); showPending(queue); }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function showPending(queue) {
    pending.textContent = queue.length ? `${queue.length} ${pending.dataset.labelSome}` : pending.dataset.labelNone;
    pending.dataset.count = String(queue.length);
  }
  function setOnline(online) {
    connection.dataset.state = online ? "online" : "offline";
    connection.className = "badge " + (online ? "bg-green-lt" : "bg-orange-lt");
    connection.textContent = online ? text.online : text.offline;
  }
  function rowOf(employee) { return root.querySelector(`[data-testid=roster-row][data-employee="${employee}"]`); }
  function showMark(row, observation, state) {
    row.querySelectorAll("[data-observation]").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.observation === observation)));
    row.dataset.mine = observation;
    row.dataset.state = state;
    row.querySelector("[data-role=state]").textContent = state === "queued" ? text.queued : text.saved;
  }
  function applyQueue() {
    load().forEach((m) => { const row = rowOf(m.employee); if (row) showMark(row, m.observation, "queued"); });
  }

  function photoData(input) {
    const file = input && input.files && input.files[0];
    if (!file) return Promise.resolve("");
    if (!file.type.startsWith("image/")) return Promise.reject(new Error(text.photoBad));
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {  // a phone photo shrunk to 1280 px so the queue fits in localStorage
        const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(img.src);
        resolve(canvas.toDataURL("image/jpeg", 0.7));
      };
      img.onerror = () => reject(new Error(text.photoBad));
      img.src = URL.createObjectURL(file);
    });
  }

  async function enqueue(rows, observation, withDetails) {
    const queue = load();
    for (const row of rows) {
      const item = {uuid: uuid(), employee: Number(row.dataset.employee), observation: observation,
                    observed_at: new Date().toISOString(), note: "", photo: ""};
      if (withDetails) {
        item.note = row.querySelector("[data-role=note]").value;
        try { item.photo = await photoData(row.querySelector("[data-role=photo]")); }
        catch (e) { showErrors([e.message]); return; }
      }
      queue.push(item);
      showMark(row, observation, "queued");
    }
    save(queue);
    flush();
  }

  function showErrors(lines) {
    errors.replaceChildren(...lines.map((line) => { const p = document.createElement("div"); p.textContent = line; return p; }));
    errors.classList.toggle("d-none", lines.length === 0);
  }

  async function flush() {
    const queue = load();
    if (sending || !queue.length) return;
    if (!navigator.onLine) { setOnline(false); return; }
    sending = true;
    let synced = false, failed = false;
    pending.textContent = text.sending;
    try {
      const response = await fetch(root.dataset.batchUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({marks: queue}),
      });
      if (response.status >= 500) throw new Error(String(response.status));
      if (!response.ok) {  // refused as a whole (signed out, no longer allowed): keep the queue, say why
        const body = await response.json().catch(() => ({}));
        const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg) : [body.detail || response.statusText];
        showErrors(detail);
        setOnline(true);
        failed = true;
        return;
      }
      const result = await response.json();
      const done = new Set([...(result.accepted || []), ...(result.duplicates || [])]);
      const rejected = result.rejected || [];
      rejected.forEach((r) => done.add(r.uuid));
      save(load().filter((m) => !done.has(m.uuid)));
      setOnline(true);
      showErrors(rejected.map((r) => {
        const row = rowOf(r.employee);
        if (row) { row.dataset.state = "rejected"; row.querySelector("[data-role=state]").textContent = text.rejected; }
        return `${row ? row.dataset.name + ": " : ""}${r.reason}`;
      }));
      synced = !rejected.length;
    } catch (e) {
      failed = true;
      setOnline(false);  // kept in the queue; sent again when the connection is back
    } finally {
      sending = false;
      showPending(load());
    }
    if (failed || !navigator.onLine) return;
    if (load().length) flush();  // marked while this batch was on its way
    else if (synced) refresh();
  }

  async function refresh() {
    const holder = document.getElementById("roster");
    const open = new Set(Array.from(holder.querySelectorAll("details[open]"), (d) => d.closest("[data-employee]").dataset.employee));
    holder.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(root.dataset.partialUrl, {credentials: "same-origin"});
      if (response.ok && !load().length) {
        holder.innerHTML = await response.text();
        open.forEach((id) => { const row = rowOf(id); if (row) row.querySelector("details").open = true; });
      }
    } finally { holder.setAttribute("aria-busy", "false"); }
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
    const note = event.target.closest("[data-send-note]");
    if (note) {
      const row = note.closest("[data-employee]");
      if (!row.dataset.mine) { showErrors([text.needMark]); return; }
      enqueue([row], row.dataset.mine, true);
    }
  });
  window.addEventListener("online", () => { setOnline(true); flush(); });
  window.addEventListener("offline", () => setOnline(false));
  setInterval(flush, 15000);
  setOnline(navigator.onLine);
  applyQueue();
  showPending(load());
  flush();
})();
