/* The drafts panel of an entry's form, kept up to date.

   While a draft is waiting or being written, it asks the panel's data-status-url every two
   seconds (DraftStatusView in drafting/views.py answers JSON). When the draft is ready, it fills
   the form's fields that are still empty, marks each as a draft, and names them in the form's
   hidden input, so the site records which fields were drafted when the person saves. A field
   the person has typed in is never touched. Without this script a reload shows the drafts.

   A panel that arrives later (the recommend form's, swapped in by htmx after the identifier
   check) is started when it settles; one marked data-fill asks at once, since the server did
   not fill the form's fields. A panel taken out of the page stops asking.
   No framework, nothing from another host, no inline script (the CSP). */
(function () {
  "use strict";

  function start(panel) {
    if (!panel || panel.hasAttribute("data-started")) return;
    panel.setAttribute("data-started", "");
    if (panel.hasAttribute("data-done") && !panel.hasAttribute("data-fill")) return;
    const form = document.getElementById(panel.dataset.form);
    const prefix = panel.dataset.prefix || "";
    const url = panel.dataset.statusUrl;

    function mark(input) {
      if (input.parentNode.querySelector(".draft-mark")) return;
      const label = document.createElement("span");
      label.className = "draft-mark";
      label.textContent = panel.dataset.mark;
      input.parentNode.insertBefore(label, input);
    }

    function fill(fields) {
      if (!form) return;
      const offered = form.querySelector("input[name='" + prefix + "drafted_fields']");
      const names = offered && offered.value ? offered.value.split(",") : [];
      Object.keys(fields).forEach(function (name) {
        const input = form.querySelector("[name='" + prefix + name + "']");
        if (!input || input.value) return;
        input.value = fields[name];
        input.classList.add("drafted");
        mark(input);
        if (names.indexOf(name) < 0) names.push(name);
      });
      if (offered) offered.value = names.join(",");
    }

    function write(answer) {
      const label = panel.querySelector("[data-draft-label]");
      if (label && answer.label) label.textContent = answer.label;
      const note = panel.querySelector("[data-draft-note]");
      if (note && answer.note) {
        note.textContent = answer.note;
        note.hidden = false;
      }
      const reason = panel.querySelector("[data-draft-reason]");
      if (reason && answer.reason) {
        reason.textContent = answer.reason;
        reason.hidden = false;
      }
      if (answer.status === "ready") fill(answer.fields);
    }

    function poll() {
      if (!document.body.contains(panel)) return;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (answer) {
          if (!document.body.contains(panel)) return;
          write(answer);
          if (answer.final) {
            panel.setAttribute("data-done", "");
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          // The page still shows what it had; a reload asks again.
        });
    }

    window.setTimeout(poll, panel.hasAttribute("data-fill") ? 0 : 2000);
  }

  start(document.getElementById("draft-panel"));
  document.addEventListener("htmx:afterSettle", function () {
    start(document.getElementById("draft-panel"));
  });
})();
