/* After a form comes back with errors, move the focus to its error summary
   ([data-error-summary], tabindex="-1"), so that a screen reader reads it and the keyboard
   starts from it; its links focus the field they name. Loaded with `defer`: no inline script (CSP). */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
})();
