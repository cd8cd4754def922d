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

  function ready() {
    setupToggle();
    setupCopy();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
