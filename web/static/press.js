// Pressroom press UI: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Forms marked data-confirm ask first (removing someone from a list, cancelling a mailing,
  // publishing): one click must not do what cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.dataset.confirming = "true";
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // The editor warns before leaving with unsaved changes.
  var dirtyForm = document.getElementById("editor");
  if (dirtyForm) {
    var dirty = false;
    dirtyForm.addEventListener("input", function () { dirty = true; });
    dirtyForm.addEventListener("submit", function (event) {
      // Refreshing the preview (posted into its frame) saves nothing.
      if (!event.submitter || event.submitter.id !== "refresh-preview") { dirty = false; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  // Autosave: what is typed in the editor is kept in this browser, under the release and the
  // version the form was loaded at, until a save succeeds; after a reload or a crash the editor
  // offers it back. A page that shows the submitted text again (a refusal, a colleague's newer
  // version) keeps it: only a successful save clears it, and only the copies this tab wrote (a
  // colleague's save in another tab must not take this tab's unsaved work with it).
  var PENDING = "pressroom-editor-pending", WRITTEN = "pressroom-editor-written";
  if (dirtyForm && dirtyForm.dataset.autosave && window.localStorage && window.sessionStorage) {
    var key = dirtyForm.dataset.autosave + "v" + dirtyForm.dataset.version;
    var written = [];
    try { written = JSON.parse(sessionStorage.getItem(WRITTEN) || "[]"); } catch (error) { written = []; }
    if (sessionStorage.getItem(PENDING) && !dirtyForm.dataset.kept) {  // the last submit was saved
      written.forEach(function (name) { localStorage.removeItem(name); });
      written = [];
    }
    sessionStorage.removeItem(PENDING);
    sessionStorage.setItem(WRITTEN, JSON.stringify(written));
    var snapshot = function () {
      var fields = {};
      Array.prototype.forEach.call(dirtyForm.elements, function (field) {
        if (!field.name || ["hidden", "submit", "button"].indexOf(field.type) >= 0 || field.name === "preview_language") { return; }
        if (field.type === "checkbox") {
          fields[field.name] = fields[field.name] || [];
          if (field.checked) { fields[field.name].push(field.value); }
        } else { fields[field.name] = field.value; }
      });
      return fields;
    };
    var apply = function (fields) {
      Array.prototype.forEach.call(dirtyForm.elements, function (field) {
        if (!field.name || !(field.name in fields) || field.type === "hidden") { return; }
        if (field.type === "checkbox") { field.checked = fields[field.name].indexOf(field.value) >= 0; }
        else { field.value = fields[field.name]; }
      });
    };
    var store = function () {
      try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: snapshot() })); }
      catch (error) { return; /* storage full or refused: the unsaved-changes warning still stands */ }
      if (written.indexOf(key) < 0) { written.push(key); sessionStorage.setItem(WRITTEN, JSON.stringify(written)); }
    };
    // Without a copy of this version, the newest of an earlier one is offered (typed before a
    // colleague took the editor over and saved): restoring it sends the form as that version, so
    // the save shows the colleague's text beside it to merge (409) instead of writing over it.
    var prefix = dirtyForm.dataset.autosave + "v", found = key, stored = null;
    var versionOf = function (name) {
      var number = name && name.indexOf(prefix) === 0 ? name.slice(prefix.length) : "";
      return /^[0-9]+$/.test(number) ? parseInt(number, 10) : -1;
    };
    try {
      stored = JSON.parse(localStorage.getItem(key) || "null");
      for (var i = 0; !stored && i < localStorage.length; i++) {
        var older = versionOf(localStorage.key(i));
        if (older >= 1 && older < versionOf(key) && older > versionOf(found === key ? "" : found)) {
          found = localStorage.key(i);
        }
      }
      if (!stored && found !== key) { stored = JSON.parse(localStorage.getItem(found) || "null"); }
    } catch (error) { stored = null; }
    var prompt = document.getElementById("autosave-prompt");
    if (stored && stored.fields && prompt && JSON.stringify(stored.fields) !== JSON.stringify(snapshot())) {
      document.getElementById("autosave-when").textContent =
        new Date(stored.at).toLocaleString(document.documentElement.lang) + ".";
      prompt.hidden = false;
      document.getElementById("autosave-restore").addEventListener("click", function () {
        apply(stored.fields);
        if (found !== key && dirtyForm.elements.expected_version) {
          dirtyForm.elements.expected_version.value = String(versionOf(found));
        }
        // A save clears it like the copies this tab wrote.
        if (written.indexOf(found) < 0) { written.push(found); sessionStorage.setItem(WRITTEN, JSON.stringify(written)); }
        prompt.hidden = true;
        dirtyForm.dispatchEvent(new Event("input", { bubbles: true }));
      });
      document.getElementById("autosave-discard").addEventListener("click", function () {
        localStorage.removeItem(found);
        prompt.hidden = true;
      });
    }
    var keepTimer = null;
    var keep = function () { clearTimeout(keepTimer); keepTimer = setTimeout(store, 300); };
    dirtyForm.addEventListener("input", keep);
    dirtyForm.addEventListener("change", keep);
    dirtyForm.addEventListener("submit", function (event) {
      // Refreshing the preview posts the form into its frame and saves nothing: the copies stay
      // as typing left them (the first refresh, at load, must not store the server's text).
      if (event.submitter && event.submitter.id === "refresh-preview") { return; }
      clearTimeout(keepTimer);
      store();
      sessionStorage.setItem(PENDING, "1");
    });
  }

  // The editor's soft lock. The holder's page beats every few seconds; when a beat says a
  // colleague took over (after the lock lapsed), the page says so and keeps what is typed in this
  // browser (the autosave above), since a save would now be refused. Anyone else's page asks how
  // the lock stands and enables "Take over" once it has lapsed.
  var lock = document.getElementById("edit-lock");
  if (lock && window.fetch) {
    var every = Math.max(parseFloat(lock.dataset.heartbeat) || 20, 0.2) * 1000;
    var token = document.querySelector("input[name=csrf_token]");
    var ask = function (url, method) {
      return fetch(url, { method: method, credentials: "same-origin",
                          headers: { Accept: "application/json", "X-CSRF-Token": token ? token.value : "" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    };
    if (lock.dataset.mine === "true") {
      var beat = function () {
        ask(lock.dataset.beatUrl, "POST").then(function (d) {
          if (!d.held) {
            document.getElementById("lock-lost").hidden = false;
            if (dirtyForm) { dirtyForm.dispatchEvent(new Event("change", { bubbles: true })); }
            return;
          }
          setTimeout(beat, every);
        }).catch(function () { setTimeout(beat, every); });
      };
      setTimeout(beat, every);
    } else {
      var take = document.getElementById("lock-take");
      var watchLock = function () {
        ask(lock.dataset.statusUrl, "GET").then(function (d) {
          if (d.lapsed || d.held) { take.disabled = false; return; }
          setTimeout(watchLock, every);
        }).catch(function () { setTimeout(watchLock, every); });
      };
      if (take) { setTimeout(watchLock, every); }
    }
  }

  // The editor: one tab per language (the ARIA tabs pattern: one tab in the Tab order, arrow
  // keys, Home and End move between them); without JS every language shows, one after the other.
  var tabs = Array.prototype.slice.call(document.querySelectorAll("[data-tabs] [data-tab]"));
  function show(code) {
    tabs.forEach(function (tab) {
      var selected = tab.dataset.tab === code;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
    });
    document.querySelectorAll("[data-panel]").forEach(function (panel) { panel.hidden = panel.dataset.panel !== code; });
    var select = document.getElementById("preview-language");
    if (select) { select.value = code; }
  }
  var KEYS = { ArrowLeft: -1, ArrowRight: 1 };
  function onKey(event) {
    var index = tabs.indexOf(event.currentTarget);
    var next = null;
    if (event.key in KEYS) { next = (index + KEYS[event.key] + tabs.length) % tabs.length; }
    else if (event.key === "Home") { next = 0; }
    else if (event.key === "End") { next = tabs.length - 1; }
    if (next === null) { return; }
    event.preventDefault();
    show(tabs[next].dataset.tab);
    tabs[next].focus();
    refresh();
  }
  if (tabs.length) {
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () { show(tab.dataset.tab); refresh(); });
      tab.addEventListener("keydown", onKey);
    });
    var main = document.querySelector("select[name=default_language]");
    var bar = document.querySelector("[data-tabs]");
    // A refused field opens its language's tab, where its input is marked and focused.
    show(bar && bar.dataset.open ? bar.dataset.open : (main ? main.value : tabs[0].dataset.tab));
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); }
  }

  // A colleague's newer text beside the user's (after a save that came too late): "use their
  // text" copies it into the form field, for the user to save or to edit further.
  document.querySelectorAll("[data-use-theirs]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = dirtyForm && dirtyForm.elements[button.dataset.useTheirs];
      if (!field) { return; }
      field.value = button.dataset.text;
      var panel = field.closest("[data-panel]");
      if (panel && tabs.length) { show(panel.dataset.panel); }
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    });
  });

  // The live preview: the form as typed is rendered as the subscriber's mail, beside it. The form
  // is posted into the sandboxed frame (as the refresh button does without JS), so the mail
  // arrives with its own policy, which lets its inline styles apply and no script run.
  var editor = document.getElementById("editor");
  var frame = document.getElementById("preview");
  var button = document.getElementById("refresh-preview");
  var timer = null;
  function refresh() {
    // A read-only editor (a colleague holds it) posts no fields: its frame keeps the stored mail.
    if (!editor || !frame || !button || editor.dataset.locked) { return; }
    editor.requestSubmit(button);
  }
  if (editor && frame && button) {
    editor.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    });
    var language = document.getElementById("preview-language");
    if (language) { language.addEventListener("change", refresh); }
    // A saved release's frame already shows its stored revision; a new one starts from the form.
    if (!frame.getAttribute("src")) { refresh(); }
  }

  // The editor's media section. Without JS its forms post and the page comes back; with it, a
  // file dropped on the drop zone (or chosen) is uploaded at once by fetch, a progress bar
  // follows its processing, and the section is then re-read from the server, which draws the
  // thumbnail and the file's texts: one rendering, the server's.
  var media = document.getElementById("media");
  var upload = document.getElementById("media-upload");
  if (media && upload) {
    var mediaError = document.getElementById("media-error");
    var fileInput = document.getElementById("media-file");
    var drop = document.getElementById("media-drop");
    var sayError = function (text) {
      mediaError.textContent = text;
      mediaError.hidden = !text;
    };
    // Every form of the page acts on the release's version: an upload made a new one.
    var useVersion = function (version) {
      document.querySelectorAll("input[name=expected_version]").forEach(function (field) { field.value = version; });
    };
    var reread = function () {
      return fetch(window.location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("media-list");
          var list = document.getElementById("media-list");
          if (fresh && list) { list.replaceWith(document.adoptNode(fresh)); }
          watch();
          if (typeof refresh === "function") { refresh(); }
        });
    };
    var poll = function (bar) {
      fetch(bar.dataset.mediaStatus, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (d) {
          bar.value = d.progress;
          bar.textContent = d.progress + "%";
          if (d.status === "processing") { setTimeout(function () { poll(bar); }, 400); return; }
          reread();
        }).catch(function () { setTimeout(function () { poll(bar); }, 2000); });
    };
    var watch = function () {
      media.querySelectorAll("progress[data-media-status]").forEach(function (bar) {
        if (bar.dataset.watched) { return; }
        bar.dataset.watched = "true";
        setTimeout(function () { poll(bar); }, 300);
      });
      media.querySelectorAll("form[data-confirm]").forEach(function (form) {
        if (form.dataset.confirming) { return; }
        form.dataset.confirming = "true";
        form.addEventListener("submit", function (event) {
          if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
        });
      });
    };
    var send = function () {
      if (!fileInput.files.length) { return; }
      var name = fileInput.files[0].name;
      var note = document.createElement("p");
      note.className = "media-uploading";
      note.setAttribute("role", "status");
      note.textContent = (media.dataset.uploading || "").replace("{filename}", name);
      upload.appendChild(note);
      sayError("");
      fetch(upload.action, { method: "POST", body: new FormData(upload), credentials: "same-origin",
                             headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
        .then(function (answer) {
          note.remove();
          if (!answer.ok) { sayError(answer.d.error || answer.d.message || ""); return; }
          useVersion(answer.d.version);
          upload.reset();
          reread();
        }).catch(function () { note.remove(); sayError(media.dataset.failed || ""); });
    };
    upload.addEventListener("submit", function (event) { event.preventDefault(); send(); });
    fileInput.addEventListener("change", send);
    ["dragenter", "dragover"].forEach(function (type) {
      drop.addEventListener(type, function (event) { event.preventDefault(); drop.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      drop.addEventListener(type, function () { drop.classList.remove("dragging"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      fileInput.files = event.dataTransfer.files;
      send();
    });
    watch();
  }

  // The distribution page: poll the figures until the mailing ends.
  var progress = document.querySelector("[data-progress]");
  if (progress) {
    var url = progress.dataset.progress;
    var poll = function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
        // A new status reloads the page: its words and its controls come from the server.
        if (progress.dataset.status && d.status_label !== progress.dataset.status) { window.location.reload(); return; }
        ["queued", "sending", "sent", "deferred", "failed", "bounced", "skipped", "total", "rate_per_second"]
          .forEach(function (key) {
            var cell = progress.querySelector("[data-field='" + key + "']");
            if (cell) { cell.textContent = d[key]; }
          });
        var done = d.sent + d.failed + d.bounced + d.skipped;
        var bar = progress.querySelector("progress");
        bar.max = d.total || 1; bar.value = done;
        var summary = progress.querySelector("[data-field=summary]");
        if (summary) { summary.textContent = d.sent + " / " + d.total; }
        if (["preparing", "sending", "paused"].indexOf(d.status) >= 0) { setTimeout(poll, 1000); }
      }).catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1000);
  }
})();
