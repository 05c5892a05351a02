/* Fortnight — a "Print" button (plain ES2017): the page's CSP allows no inline script, so a
 * <button class="print-button"> gets its click handler from this file. */
(function () {
  "use strict";

  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
