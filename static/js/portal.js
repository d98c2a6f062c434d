/* On logout, forget texts kept in this browser for the self-assessment, so the
   next person at a shared computer never sees them. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-forget-drafts]").forEach(function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(localStorage).forEach(function (key) {
          if (key.indexOf("portal-draft:") === 0) localStorage.removeItem(key);
        });
      } catch (e) { /* storage off */ }
    });
  });
})();
