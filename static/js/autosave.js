/*
 * Never lose a text that was typed: autosave for every form marked
 * `data-autosave`, and a log-out that keeps what is not saved.
 *
 * - Every change is kept in the browser (localStorage) under the user and the
 *   object (`data-draft-key`, e.g. "user-5:area-12-1") until the server has
 *   saved it; htmx saves it a moment after typing (`data-hx-post` on the form).
 * - A new action's form carries a token (`draft_token`) kept with its draft:
 *   however often it is posted, the server creates one action and saves that
 *   one. Until its required fields are filled in the answer is "incomplete"
 *   and the draft stays; after Save the next page names the token
 *   (`data-stored-draft`) and its draft is forgotten.
 * - The server answers with `_autosave_result.html`: the status text goes into
 *   the sticky status region (announced to screen readers), the new version
 *   and base are swapped into the form, the fields a merge took from another
 *   edit are filled in, fields in error get aria-invalid and their message
 *   through aria-describedby, a conflict is shown in the form's #conflict.
 * - 401: logged out; the draft stays, with a link to log in again. 403: the
 *   CSRF token changed (a log-in in another tab); a fresh token is fetched
 *   and the save tried once more, without a reload.
 * - A draft found when a page opens is offered back ("Restore" / "Discard"),
 *   with the version it was typed on, so restoring it merges or conflicts
 *   instead of overwriting what others saved since.
 * - "Use their version" discards the draft; log-out saves first when it can
 *   and otherwise warns, and never deletes a draft.
 *
 * Texts come from #autosave-texts (base.html), translated on the server.
 */
(function () {
  "use strict";
  var PREFIX = "portal-draft:";
  var textsEl = document.getElementById("autosave-texts");
  var texts = textsEl ? textsEl.dataset : {};

  // --- The browser's copy -------------------------------------------------------

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or off */ }
  }
  function remove(key) {
    try { localStorage.removeItem(key); } catch (e) { /* storage off */ }
  }
  function keysStartingWith(prefix) {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) keys.push(key);
      }
    } catch (e) { /* storage off */ }
    return keys;
  }

  function draftKey(form) { return PREFIX + form.dataset.draftKey; }

  function byName(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  function fieldValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if (["hidden", "submit", "button", "reset", "file"].indexOf(el.type) >= 0) return;
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
        else if (!(el.name in values)) values[el.name] = "";
      } else if (el.type === "checkbox") {
        if (byName(form, el.name).length > 1) {
          values[el.name] = values[el.name] || [];
          if (el.checked) values[el.name].push(el.value);
        } else {
          values[el.name] = el.checked;
        }
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function setField(form, name, value) {
    byName(form, name).forEach(function (el) {
      if (el.type === "radio") el.checked = el.value === String(value);
      else if (el.type === "checkbox") {
        el.checked = Array.isArray(value) ? value.indexOf(el.value) >= 0 : value === true || value === "on";
      } else if (el.type !== "hidden") el.value = value;
    });
  }

  function hiddenValue(form, name) {
    var el = form.querySelector("input[type=hidden][name='" + name + "']");
    return el ? el.value : "";
  }
  function setHidden(form, name, value) {
    var el = form.querySelector("input[type=hidden][name='" + name + "']");
    if (el && value !== undefined && value !== null) el.value = value;
  }

  function keep(form) {
    if (form.dataset.offerPending) return;
    store(draftKey(form), {
      values: fieldValues(form),
      version: hiddenValue(form, "version"),
      base: hiddenValue(form, "base"),
      token: hiddenValue(form, "draft_token"),
      at: Date.now()
    });
  }
  function forget(form) { remove(draftKey(form)); }

  function differs(a, b) {
    return Object.keys(a).some(function (name) { return JSON.stringify(a[name]) !== JSON.stringify(b[name]); });
  }

  // --- The status region ----------------------------------------------------------

  function region(form) { return form.querySelector("[data-autosave-status]"); }

  function say(form, text, cls, link) {
    var el = region(form);
    if (!el) return;
    el.classList.remove("text-danger", "text-success-portal", "text-warning-portal");
    if (cls) el.classList.add(cls);
    el.textContent = "";
    // Set after a moment, so that screen readers announce the new text
    // (unless the server's answer comes first: it is the newer news).
    window.clearTimeout(el._sayTimer);
    el._sayTimer = window.setTimeout(function () {
      el.textContent = text;
      if (link) {
        var a = document.createElement("a");
        a.href = link.href;
        a.textContent = " " + link.text;
        el.appendChild(a);
      }
    }, 50);
  }

  // --- Errors for assistive technology -----------------------------------------

  function errorContainer(form, name) {
    var id = "errors-" + name;
    var container = document.getElementById(id);
    if (container) return container;
    var fields = byName(form, name);
    if (!fields.length) return null;
    container = document.createElement("div");
    container.id = id;
    var wrapper = document.getElementById("div_" + fields[0].id) || fields[fields.length - 1].closest(".mb-3, fieldset");
    if (wrapper) wrapper.appendChild(container);
    else fields[fields.length - 1].insertAdjacentElement("afterend", container);
    return container;
  }

  function describedBy(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) ids.push(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }

  function markErrors(form, errors) {
    form.querySelectorAll("[id^='errors-']").forEach(function (container) {
      var name = container.id.slice("errors-".length);
      if (errors[name]) return;
      container.textContent = "";
      byName(form, name).forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.classList.remove("is-invalid");
        describedBy(el, container.id, false);
      });
    });
    Object.keys(errors).forEach(function (name) {
      var container = errorContainer(form, name);
      if (!container) return;
      container.textContent = "";
      errors[name].forEach(function (message) {
        var line = document.createElement("div");
        line.className = "text-danger";
        line.textContent = message;
        container.appendChild(line);
      });
      byName(form, name).forEach(function (el) {
        el.setAttribute("aria-invalid", "true");
        if (el.type !== "radio" && el.type !== "checkbox") el.classList.add("is-invalid");
        describedBy(el, container.id, true);
      });
    });
  }

  // --- Saving -------------------------------------------------------------------------

  function conflictShown(form) { return !!form.querySelector("#conflict [data-conflict]"); }

  function freshToken() {
    return fetch(texts.csrfUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (el) { el.value = data.token; });
        return data.token;
      });
  }

  function loggedOut(form) {
    say(form, texts.loggedOut, "text-danger", {
      href: texts.loginUrl + "?next=" + encodeURIComponent(window.location.pathname),
      text: texts.logInAgain
    });
  }

  function afterResult(form, result) {
    var state = result.dataset.autosaveState;
    var el = region(form);
    el.classList.remove("text-danger", "text-success-portal", "text-warning-portal");
    el.classList.add(state === "saved" || state === "merged" ? "text-success-portal"
      : state === "incomplete" ? "text-warning-portal" : "text-danger");
    markErrors(form, JSON.parse(result.dataset.errors || "{}"));
    if (state === "saved" || state === "merged") {
      var apply = JSON.parse(result.dataset.apply || "{}");
      Object.keys(apply).forEach(function (name) { setField(form, name, apply[name]); });
      if (form._typedSinceSent) keep(form); else forget(form);
    } else {
      keep(form);
    }
    if (state === "conflict") {
      var section = form.querySelector("#conflict [data-conflict]");
      if (section && !form.contains(document.activeElement)) section.focus();
    }
  }

  function setUp(form) {
    var serverSave = form.hasAttribute("data-hx-post");
    form.addEventListener("input", function () { form._typedSinceSent = true; keep(form); });
    form.addEventListener("change", function () { form._typedSinceSent = true; keep(form); });

    form.addEventListener("click", function (evt) {
      var choice = evt.target.closest("[data-keep-mine], [data-use-theirs]");
      if (!choice) return;
      form._chosen = choice;
      if (choice.hasAttribute("data-use-theirs")) forget(form);  // "Use their version": the draft goes, here too
    });
    form.addEventListener("submit", function (evt) {
      // Enter in a field submits with the form's first button, which is a
      // conflict's choice while one is shown: only a real click chooses.
      var submitter = evt.submitter;
      if (submitter && submitter.closest("[data-keep-mine], [data-use-theirs]") && form._chosen !== submitter) {
        evt.preventDefault();
      }
      form._chosen = null;
    });

    if (serverSave) {
      form.addEventListener("htmx:confirm", function (evt) {
        // Autosave waits while a conflict is shown; the user's choice submits the form.
        if (evt.target === form && conflictShown(form)) evt.preventDefault();
      });
      form.addEventListener("htmx:configRequest", function (evt) {
        if (evt.detail.elt !== form) return;
        form._typedSinceSent = false;
        var token = form.querySelector("input[name=csrfmiddlewaretoken]");
        if (token) evt.detail.parameters.csrfmiddlewaretoken = token.value;
      });
      form.addEventListener("htmx:beforeSwap", function (evt) {
        if (evt.detail.elt === form || evt.target === region(form)) window.clearTimeout(region(form)._sayTimer);
      });
      form.addEventListener("htmx:afterRequest", function (evt) {
        if (evt.detail.elt !== form) return;
        var xhr = evt.detail.xhr;
        if (xhr.status === 200) {
          form._csrfRetried = false;
          var result = region(form).querySelector("[data-autosave-state]");
          if (result) afterResult(form, result);
          return;
        }
        keep(form);
        form._typedSinceSent = true;
        if (xhr.status === 401) { loggedOut(form); return; }
        if (xhr.status === 403 && !form._csrfRetried) {
          // Logged in again elsewhere: the token changed. Fetch it and save again.
          form._csrfRetried = true;
          freshToken().then(function () { htmx.trigger(form, "autosave-now"); }, function () {
            say(form, texts.offline, "text-danger");
          });
          return;
        }
        if (xhr.status === 403) { say(form, texts.refused, "text-danger"); return; }
        say(form, texts.offline, "text-danger");
      });
    }
    offerDraft(form, serverSave);
  }

  // --- A draft found when the page opens ------------------------------------------

  function offerDraft(form, serverSave) {
    var draft = load(draftKey(form));
    if (!draft || !draft.values || !differs(draft.values, fieldValues(form))) {
      if (typedBeforeLoad(form)) {
        keep(form);
        if (serverSave) htmx.trigger(form, "autosave-now");
      } else if (!conflictShown(form)) {
        forget(form);
      }
      return;
    }
    if (conflictShown(form)) { keep(form); return; }  // the page shows this very text beside theirs
    form.dataset.offerPending = "1";
    var box = document.createElement("div");
    box.className = "alert alert-info d-flex flex-wrap gap-2 align-items-center";
    box.setAttribute("data-draft-offer", "");
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "draft-offer-text");
    var p = document.createElement("p");
    p.id = "draft-offer-text";
    p.className = "mb-0 me-2";
    p.textContent = texts.draftOffer;
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "btn btn-primary btn-sm";
    restoreButton.textContent = texts.restore;
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "btn btn-outline-dark btn-sm";
    discardButton.textContent = texts.discard;
    box.appendChild(p);
    box.appendChild(restoreButton);
    box.appendChild(discardButton);
    form.insertBefore(box, form.firstChild);

    function close(message) {
      delete form.dataset.offerPending;
      box.remove();
      say(form, message, "text-warning-portal");
    }
    restoreButton.addEventListener("click", function () {
      Object.keys(draft.values).forEach(function (name) { setField(form, name, draft.values[name]); });
      // Saved against the version it was typed on: merged or shown as a conflict, never over theirs.
      setHidden(form, "version", draft.version);
      setHidden(form, "base", draft.base);
      // A new action's draft keeps its form's token: saving it again saves the action it created.
      if (draft.token) setHidden(form, "draft_token", draft.token);
      close(texts.restored);
      keep(form);
      if (serverSave) htmx.trigger(form, "autosave-now");
      var first = form.querySelector("textarea, input:not([type=hidden]), select");
      if (first) first.focus();
    });
    discardButton.addEventListener("click", function () {
      forget(form);
      close(texts.discarded);
    });
    say(form, texts.draftOffer, "text-warning-portal");
  }

  // Text typed while the page was still loading, before autosave was listening.
  function typedBeforeLoad(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (["hidden", "submit", "button"].indexOf(el.type) >= 0) return false;
      if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      return "defaultValue" in el && el.value !== el.defaultValue;
    });
  }

  // --- Log-out -----------------------------------------------------------------------

  function saveNow(form) {
    // One save outside htmx's queue, for log-out: true when the server has it.
    function post() {
      return fetch(form.getAttribute("data-hx-post"), {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "HX-Request": "true" }
      });
    }
    return post().then(function (r) {
      if (r.status === 403) return freshToken().then(post);
      return r;
    }).then(function (r) {
      if (r.status !== 200) return false;
      return r.text().then(function (html) {
        var match = /data-autosave-state="(\w+)"/.exec(html);
        var ok = !!match && (match[1] === "saved" || match[1] === "merged");
        if (ok) forget(form);
        return ok;
      });
    }, function () { return false; });
  }

  function setUpLogout(logout) {
    var prefix = PREFIX + logout.dataset.draftPrefix;
    logout.addEventListener("submit", function (evt) {
      if (logout.dataset.confirmed) return;  // drafts are never deleted on log-out
      if (!keysStartingWith(prefix).length) return;
      evt.preventDefault();
      var pending = Array.prototype.filter.call(document.querySelectorAll("form[data-autosave][data-hx-post]"), function (form) {
        return load(draftKey(form)) !== null;
      });
      Promise.all(pending.map(saveNow)).then(function () {
        if (!keysStartingWith(prefix).length) {
          logout.dataset.confirmed = "1";
          logout.submit();
        } else {
          warn(logout);
        }
      });
    });
  }

  function warn(logout) {
    var existing = document.getElementById("logout-warning");
    if (existing) { existing.focus(); return; }
    var box = document.createElement("div");
    box.id = "logout-warning";
    box.className = "alert alert-warning";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    var p = document.createElement("p");
    p.textContent = texts.logoutWarning;
    var go = document.createElement("button");
    go.type = "button";
    go.className = "btn btn-warning me-2";
    go.textContent = texts.logoutAnyway;
    var stay = document.createElement("button");
    stay.type = "button";
    stay.className = "btn btn-outline-dark";
    stay.textContent = texts.stay;
    box.appendChild(p);
    box.appendChild(go);
    box.appendChild(stay);
    var main = document.getElementById("main");
    main.insertBefore(box, main.firstChild);
    box.focus();
    go.addEventListener("click", function () {
      logout.dataset.confirmed = "1";
      logout.submit();
    });
    stay.addEventListener("click", function () { box.remove(); });
  }

  // A new action saved with the Save button: the server names its form's token
  // in the message, and the draft typed in that form is stored.
  document.querySelectorAll("[data-stored-draft]").forEach(function (el) {
    keysStartingWith(PREFIX).forEach(function (key) {
      var draft = load(key);
      if (draft && draft.token && draft.token === el.dataset.storedDraft) remove(key);
    });
  });

  document.querySelectorAll("form[data-logout]").forEach(setUpLogout);
  var forms = document.querySelectorAll("form[data-autosave]");
  // After htmx has set up the forms, so that a restored text can be saved.
  if (forms.length) {
    window.addEventListener("load", function () {
      window.setTimeout(function () { forms.forEach(setUp); }, 0);
    });
  }
})();
