/* Fortnight: keeps the ticket and "my registrations" pages that this browser has opened,
   so that they still show at the door when the phone has no network.

   Network first: online, a page is always the current one (a cancelled ticket shows
   cancelled), and the copy kept is refreshed; offline, the last copy is shown. Nothing
   else is touched: other requests go to the network as if this worker did not exist. */
"use strict";

const CACHE = "fortnight-tickets-v1";
const PAGES = /^\/(fr|nl|en)\/(tickets|my)\/[^/]+\/$/;
// What those pages load: the style sheet, and the script that says "offline".
const ASSETS = /^\/static\/(css\/|js\/offline-tickets)/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = request.mode === "navigate" && PAGES.test(url.pathname);
  if (!page && !ASSETS.test(url.pathname)) return;
  // A page is kept once, whatever its query string (?new=1 after registering).
  const key = page ? url.origin + url.pathname : request.url;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        }
        return response;
      })
      .catch(() => caches.match(key).then((kept) => kept || Response.error()))
  );
});
