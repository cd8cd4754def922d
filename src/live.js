// notes serve: live reload. Served pages load this script; it listens for
// rebuilds and reloads the page when it changed (keeping the scroll
// position), and shows build errors in an overlay until they are fixed.
(function () {
  "use strict";
  var key = "notes-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
  }

  function overlay() {
    var el = document.getElementById("notes-error-overlay");
    if (!el) {
      el = document.createElement("div");
      el.id = "notes-error-overlay";
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.92);" +
        "color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;direction:ltr;text-align:left";
      var title = document.createElement("div");
      title.textContent = "notes: the build failed; the last good version is shown. Fix the file and save.";
      title.style.cssText = "color:#fff;font-weight:bold;margin-bottom:1rem";
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      el.appendChild(title);
      el.appendChild(pre);
      document.body.appendChild(el);
    }
    return el;
  }

  function affects(paths) {
    if (paths.indexOf("*") >= 0) return true;
    var here = decodeURIComponent(location.pathname);
    return paths.indexOf(here) >= 0 || paths.indexOf(location.pathname) >= 0;
  }

  var source = new EventSource("/__notes/events");
  source.onmessage = function (event) {
    var message = JSON.parse(event.data);
    if (message.error) {
      overlay().querySelector("pre").textContent = message.error;
      return;
    }
    var el = document.getElementById("notes-error-overlay");
    if (el) el.remove();
    if (message.reload && affects(message.reload)) {
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }
  };
})();
