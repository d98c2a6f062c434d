/*
 * The self-assessment form: never lose a text that was typed.
 *
 * - Every change is kept in the browser (localStorage) until the server has
 *   saved it; htmx saves it a moment after typing (autosave).
 * - If the session has expired (401), the page says so and links to the login;
 *   after logging in, the kept text is put back into the form and saved.
 * - While a conflict with someone else's save is shown, autosave waits for the
 *   user's choice.
 */
(function () {
  "use strict";
  var form = document.getElementById("area-form");
  if (!form) return;
  var key = "portal-draft:" + form.dataset.draftKey;
  var status = function () { return document.getElementById("autosave-status"); };

  function fieldValues() {
    var values = {};
    form.querySelectorAll("textarea, input[type=text], input[type=radio]:checked, input[type=checkbox]").forEach(function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version") return;
      values[el.name] = el.type === "checkbox" ? (el.checked ? "on" : "") : el.value;
    });
    return values;
  }

  function keep() {
    try { localStorage.setItem(key, JSON.stringify(fieldValues())); } catch (e) { /* storage full or off */ }
  }

  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function say(text, cls) {
    var el = status();
    if (!el) return;
    el.className = "small ms-2 " + (cls || "");
    el.textContent = "";
    // A fresh text node makes screen readers announce the message.
    window.setTimeout(function () { el.textContent = text; }, 50);
    return el;
  }

  function restore() {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    kept = kept || {};
    var current = fieldValues();
    var changed = false;
    Object.keys(kept).forEach(function (name) {
      if (kept[name] === current[name]) return;
      var fields = form.querySelectorAll("[name='" + name + "']");
      fields.forEach(function (el) {
        if (el.type === "radio") { el.checked = el.value === kept[name]; }
        else if (el.type === "checkbox") { el.checked = kept[name] === "on"; }
        else { el.value = kept[name]; }
      });
      changed = true;
    });
    if (changed) {
      say(form.dataset.restoredText || "Text som inte hann sparas är återställd och sparas nu.", "text-warning-portal");
      htmx.trigger(form, "change");
    } else if (typedBeforeLoad()) {
      keep();
      htmx.trigger(form, "change");
    } else {
      forget();
    }
  }

  // Text typed while the page was still loading, before autosave was listening.
  function typedBeforeLoad() {
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "hidden" || el.type === "submit") return false;
      if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
      return "defaultValue" in el && el.value !== el.defaultValue;
    });
  }

  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  document.body.addEventListener("htmx:confirm", function (evt) {
    // Autosave waits while a conflict is shown; the user's choice submits the form.
    if (evt.target === form && document.querySelector("#conflict [data-conflict]")) evt.preventDefault();
  });

  document.body.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.elt !== form) return;
    var xhr = evt.detail.xhr;
    if (xhr.status === 401 || xhr.status === 403) {
      var el = say(form.dataset.loggedOutText || "Du är utloggad. Det du skrivit finns kvar i webbläsaren.", "text-danger");
      if (el) {
        window.setTimeout(function () {
          var link = document.createElement("a");
          link.href = form.dataset.loginUrl;
          link.textContent = " " + (form.dataset.loginLinkText || "Logga in igen");
          el.appendChild(link);
        }, 60);
      }
      return;
    }
    if (xhr.status >= 500 || xhr.status === 0) {
      say(form.dataset.offlineText || "Kunde inte spara just nu. Det du skrivit finns kvar i webbläsaren; vi försöker igen när du skriver.", "text-danger");
      return;
    }
    var saved = document.querySelector("#autosave-status[data-saved]");
    if (saved) forget();
  });

  // After the page has loaded, when htmx has set up the form, so that the
  // restored text can be saved.
  window.addEventListener("load", function () { window.setTimeout(restore, 0); });
})();
