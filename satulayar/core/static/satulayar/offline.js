/* What the pages that work offline share: one IndexedDB database for writes waiting to be sent, reading a
 * server's refusal into a reason a person can act on, the retry delay, and the service worker that keeps the
 * pages and their last data for a reload without a connection. */
(function () {
  "use strict";
  const DB_NAME = "satulayar";
  const DB_VERSION = 2;  // 2: the attendance kiosk's queue
  const STORES = {"sidak-marks": "inspection", "checkins": "user", "kiosk-punches": "kiosk"};
  const PAGES_CACHE = "satulayar-pages-v1";
  const text = (document.getElementById("offline-text") || {dataset: {}}).dataset;
  let opened = null;

  function open() {
    opened = opened || new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        for (const [name, index] of Object.entries(STORES)) {
          if (!request.result.objectStoreNames.contains(name)) {
            request.result.createObjectStore(name, {keyPath: "uuid"}).createIndex(index, index);
          }
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  // One transaction; resolves once it is committed (a full disk fails here, before anything says "queued").
  async function transact(name, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const request = work(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onabort = () => reject(transaction.error || new DOMException("aborted", "AbortError"));
    });
  }

  const store = {
    put: (name, items) => transact(name, "readwrite", (s) => { items.forEach((item) => s.put(item)); }),
    remove: (name, keys) => transact(name, "readwrite", (s) => { keys.forEach((key) => s.delete(key)); }),
    by: (name, value) => transact(name, "readonly", (s) => s.index(STORES[name]).getAll(value)),
  };

  function storageMessage(error) {
    return error && error.name === "QuotaExceededError" ? text.quota : `${text.storage} (${error && error.name})`;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function detailOf(body) {
    const detail = body && body.detail;
    if (Array.isArray(detail)) return detail.map((d) => (d && d.msg) || String(d)).join(" ");
    return detail ? String(detail) : "";
  }

  function fallbackReason(status) {
    if (status === 401 || status === 403) return text.signedOut;
    if (status === 404) return text.notFound;
    if (status === 413) return text.tooBig;
    return `${text.refused} (HTTP ${status})`;
  }

  /* A refusal as {status, transient, reason}. Transient ones (the server or a proxy is down, busy or timed
   * out) are retried with backoff; any other is kept with its reason and not sent again by itself. */
  async function refusal(response) {
    const status = response.status;
    const transient = status >= 500 || status === 408 || status === 425 || status === 429;
    const json = (response.headers.get("Content-Type") || "").includes("json");
    const body = json ? await response.json().catch(() => null) : null;
    return {status, transient, reason: detailOf(body) || (transient ? text.server : fallbackReason(status))};
  }

  // 2 s, 4 s, 8 s … up to 5 minutes, spread so that phones coming back together do not send together.
  function backoff(tries) {
    return Math.min(300000, 2000 * 2 ** Math.min(tries, 8)) * (0.75 + Math.random() / 2);
  }

  async function keepPage(extra) {
    if (!("caches" in window) || location.protocol === "file:") return;
    const cache = await caches.open(PAGES_CACHE);
    const urls = [location.pathname + location.search, ...extra,
      ...Array.from(document.querySelectorAll("link[rel=stylesheet][href], script[src]"), (e) => e.href || e.src)];
    await Promise.all(urls.map(async (url) => { if (!(await cache.match(url))) await cache.add(url); }));
  }

  /* Registers the service worker and stores this page, its files and `extra` (the URLs of its data) so the
   * next visit opens without a connection, even when this visit came before the worker took control. */
  function keepOffline(extra) {
    if (!("serviceWorker" in navigator) || !text.serviceWorker) return Promise.resolve();
    return navigator.serviceWorker.register(text.serviceWorker, {scope: text.scope})
      .then(() => navigator.onLine && keepPage(extra || []))
      .catch(() => {});  // without a worker the page still works online; nothing to tell the user
  }

  window.SatuLayarOffline = {store, storageMessage, uuid, refusal, backoff, keepOffline, text};
})();
