/* The demo's shell: picking someone else (or another issue) opens the page again for them. */
(function () {
  "use strict";
  document.querySelectorAll("#demo-as, select[data-submit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
