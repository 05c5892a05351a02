/* Lets the ticket and "my registrations" pages open without a network once they have
   been opened with one (the service worker at /offline-tickets-sw.js), and says when the
   page shown is the copy kept. */
(function () {
  "use strict";
  var notice = document.getElementById("offline-notice");
  function showState() {
    if (notice) notice.hidden = navigator.onLine;
  }
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
  showState();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/offline-tickets-sw.js", { scope: "/" }).catch(function () {
      /* Without it (private browsing, an old browser) the pages work as before, online. */
    });
  }
})();
