// notes default theme: the light/dark toggle (remembered in localStorage,
// following the system until the reader picks one) and copy buttons on code.
(function () {
  "use strict";
  var root = document.documentElement;

  function systemDark() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function currentTheme() {
    return root.dataset.theme || (systemDark() ? "dark" : "light");
  }

  function setupToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("notes-theme", next); } catch (e) { /* private mode */ }
    });
  }

  // What the copy button copies: for a terminal session only the commands
  // (no prompts, no output); otherwise the code without line numbers.
  function copyText(pre) {
    var commands = pre.querySelectorAll(".cl");
    if (commands.length) {
      return Array.prototype.map.call(commands, function (c) { return c.textContent; }).join("\n");
    }
    var code = (pre.querySelector("code") || pre).cloneNode(true);
    code.querySelectorAll(".ln").forEach(function (n) { n.remove(); });
    return code.textContent.replace(/\n$/, "");
  }

  // Exposed for the browser tests.
  window.notesCopyText = copyText;

  function setupCopy() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("pre.code").forEach(function (pre) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      var label = root.dataset.copy || "Copy";
      button.textContent = label;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(copyText(pre)).then(function () {
          button.textContent = root.dataset.copied || "Copied";
          setTimeout(function () { button.textContent = label; }, 1500);
        });
      });
      pre.appendChild(button);
    });
  }

  // The search box: search.js (and, on first query, the index) loads only
  // when a reader starts to search, or at once on the search page. Enter
  // opens the search page; Shift+Enter and pasting keep new lines, so a
  // whole traceback can be pasted.
  function setupSearch() {
    var forms = document.querySelectorAll("form.search");
    if (!forms.length) return;
    var loaded = false;
    function load() {
      if (loaded) return;
      loaded = true;
      var s = document.createElement("script");
      s.src = forms[0].getAttribute("data-script");
      document.head.appendChild(s);
    }
    forms.forEach(function (form) {
      var box = form.querySelector("textarea");
      if (form.classList.contains("search-page")) load();
      box.addEventListener("focus", load);
      box.addEventListener("input", load);
      box.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      });
    });
  }

  function ready() {
    setupToggle();
    setupCopy();
    setupSearch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
