/* Fortnight: keeps the ticket and "my registrations" pages that this browser has opened,
   so that they still show at the door when the phone has no network.

   Network first: online, a page is always the current one (a cancelled ticket shows
   cancelled), and the copy kept is refreshed; offline, the last copy is shown. Nothing
   else is touched: other requests go to the network as if this worker did not exist.

   One copy per ticket, whatever the language it was opened in: a ticket cancelled in one
   language must not still look valid, offline, in another. A page the server no longer
   has (its data erased, its link replaced) is forgotten. */
"use strict";

const CACHE = "fortnight-tickets-v2";
const PAGES = /^\/(?:fr|nl|en)\/(tickets|my)\/([^/]+)\/$/;
// What those pages load: the style sheets, and the script that says "offline".
const ASSETS = /^\/static\/(css\/|js\/offline-tickets)/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches
      .keys()
      // Copies kept by an older version of this worker (one per language) go.
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  )
);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = request.mode === "navigate" ? url.pathname.match(PAGES) : null;
  if (!page && !ASSETS.test(url.pathname)) return;
  // A page is kept once, whatever its language and query string (?new=1 after registering).
  const key = page ? `${url.origin}/${page[1]}/${page[2]}/` : request.url;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        } else if (page && (response.status === 404 || response.status === 410)) {
          event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(key)));
        }
        return response;
      })
      .catch(() => caches.match(key).then((kept) => kept || Response.error()))
  );
});
