/* Satu Layar's service worker: the pages used where the connection drops (the sidak roster, the phone
 * check-in) and their last data open from the cache when the network is gone; online, the network answers
 * first and refreshes the copy. Writes are never handled here: the pages queue them in IndexedDB. */
"use strict";
const PAGES = "satulayar-pages-v1";
const OFFLINE_PAGES = [{% for pattern in offline_pages %}new RegExp("{{ pattern|escapejs }}"){% if not forloop.last %}, {% endif %}{% endfor %}];
const STATIC_URL = "{{ static_url|escapejs }}";
const LOGIN_URL = "{{ login_url|escapejs }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function networkFirst(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, {ignoreVary: true});
    if (cached) return cached;
    throw error;
  }
}

// A file kept with a page is served from the copy and refreshed behind it; any other passes through.
async function keptFile(event) {
  const cache = await caches.open(PAGES);
  const cached = await cache.match(event.request);
  const fresh = fetch(event.request);
  if (!cached) return fresh;
  event.waitUntil(fresh.then((response) => response.ok && cache.put(event.request, response)).catch(() => null));
  return cached;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === LOGIN_URL) {
    // Signed out or a new person: the pages kept for the last one must not open for them.
    event.waitUntil(caches.delete(PAGES));
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(keptFile(event));
  } else if (OFFLINE_PAGES.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(event.request));
  }
});
