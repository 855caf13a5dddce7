/* The after-publishing panel of a published issue's editor page, kept up to date.

   Every few seconds (the panel's data-interval) it asks the panel's data-progress-url, which
   answers JSON (IssueProgressView in issues/views/editor.py), and writes the new figures and
   lines into the panel; it stops once everything is done, or when the site answers with an
   error. Without this script the panel shows what was true when the page was served, and a
   reload shows more. No framework, nothing from another host, no inline script (the CSP). */
(function () {
  "use strict";

  const panel = document.getElementById("progress-panel");
  if (!panel || panel.hasAttribute("data-done")) return;
  const status = document.getElementById("progress-status");
  const url = panel.dataset.progressUrl;
  const interval = Math.max(2, Number(panel.dataset.interval) || 5) * 1000;

  function writeLines(list, lines) {
    while (list.firstChild) list.removeChild(list.firstChild);
    lines.forEach(function (line) {
      const item = document.createElement("li");
      item.className = "progress-" + line.state;
      item.textContent = line.detail ? line.label + ": " + line.detail : line.label;
      list.appendChild(item);
    });
  }

  function write(answer) {
    answer.progress.forEach(function (progress) {
      progress.counts.forEach(function (count) {
        const cell = panel.querySelector(
          "[data-count='" + progress.key + "." + count.key + "']"
        );
        if (cell) cell.textContent = String(count.value);
      });
      const list = panel.querySelector("[data-lines='" + progress.key + "']");
      if (list) writeLines(list, progress.lines);
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        write(answer);
        if (answer.done) {
          if (status) status.textContent = "";
          panel.setAttribute("data-done", "");
        } else {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () {
        // The page still shows what it had; a reload asks again.
      });
  }

  window.setTimeout(poll, interval);
})();
