/* The issue builder's entries, reordered in place (issue 25).

   Each entry gets a handle: drag it with a mouse, pen or finger, or focus it and press Space or
   Enter to pick the entry up, the arrow keys (Home, End: the top, the bottom of its section) to
   move it, Space or Enter to put it down and Escape to put it back. The Move up / Move down
   buttons move it in place too. Each put-down is one request: the whole new order, posted with
   the page's CSRF token to the builder's own reorder address, which answers JSON
   (EntryReorderView in issues/views/editor.py); a refusal puts the entries back and says why.

   Without this script the page works as before: the Move buttons post their forms and reload.
   No framework, nothing from another host; the texts come translated from the page, in the
   data attributes of #reorder-texts (no inline script, as the Content-Security-Policy wants). An entry never leaves its section: papers and news are separate lists. */
(function () {
  "use strict";

  const lists = Array.from(document.querySelectorAll("ol.builder-entries[data-reorder-url]"));
  const textsNode = document.getElementById("reorder-texts");
  const status = document.getElementById("reorder-status");
  const token = document.querySelector("input[name='csrfmiddlewaretoken']");
  if (!lists.length || !textsNode || !status || !token) return;
  const texts = textsNode.dataset;
  const url = lists[0].dataset.reorderUrl;
  const help = document.getElementById("reorder-help");
  let saving = false;
  let held = null; // the entry picked up by keyboard: {item, before}
  let dragged = null; // the entry being dragged: {item, before, handle, pointerId}

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  function entriesOf(list) {
    return Array.from(list.children).filter(function (child) {
      return child.matches("li.builder-entry[data-entry]");
    });
  }

  function order() {
    return lists.flatMap(function (list) {
      return entriesOf(list).map(function (item) { return item.dataset.entry; });
    });
  }

  function titleOf(item) {
    const title = item.querySelector(".builder-title a") || item.querySelector(".builder-title");
    return title ? title.textContent.trim() : item.dataset.entry;
  }

  function place(item) {
    const items = entriesOf(item.parentElement);
    return { title: titleOf(item), position: items.indexOf(item) + 1, count: items.length };
  }

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("failed", Boolean(isError));
  }

  /* Put `item` at `index` of its list by moving its neighbours, never the item itself: a node
     taken out of the document loses the keyboard focus and the pointer capture it holds. */
  function placeAt(item, index) {
    const list = item.parentElement;
    const last = entriesOf(list).length - 1;
    const target = Math.max(0, Math.min(index, last));
    let current = entriesOf(list).indexOf(item);
    while (current > target) {
      list.insertBefore(item.previousElementSibling, item.nextElementSibling);
      current -= 1;
    }
    while (current < target) {
      list.insertBefore(item.nextElementSibling, item);
      current += 1;
    }
  }

  /* The entries in the order `ids` gives (a refusal's undo, or the order the server kept),
     each within its own section; the focus stays where it was. */
  function arrange(ids) {
    const focused = document.activeElement;
    lists.forEach(function (list) {
      const mine = ids.filter(function (id) {
        return list.querySelector(":scope > li.builder-entry[data-entry='" + id + "']");
      });
      mine.forEach(function (id, index) {
        placeAt(list.querySelector(":scope > li.builder-entry[data-entry='" + id + "']"), index);
      });
    });
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus();
  }

  /* The Move up / Move down forms follow the page: each posts the order after its move, and
     the one that cannot move its entry (at an end of the section) is hidden. */
  function refreshMoves() {
    const ids = order();
    lists.forEach(function (list) {
      const items = entriesOf(list);
      items.forEach(function (item, index) {
        [["up", index - 1], ["down", index + 1]].forEach(function (move) {
          const button = item.querySelector("button[data-move='" + move[0] + "']");
          if (!button || !button.form) return;
          const other = items[move[1]];
          button.form.hidden = !other;
          if (!other) {
            button.form.elements.order.value = "";
            return;
          }
          const moved = ids.slice();
          const a = moved.indexOf(item.dataset.entry);
          const b = moved.indexOf(other.dataset.entry);
          moved[a] = other.dataset.entry;
          moved[b] = item.dataset.entry;
          button.form.elements.order.value = moved.join(",");
        });
      });
    });
  }

  function setSaving(on) {
    saving = on;
    lists.forEach(function (list) { list.setAttribute("aria-busy", on ? "true" : "false"); });
  }

  /* One request for the new order; `before` is the order to return to if it is refused. */
  async function save(item, before) {
    const ids = order();
    refreshMoves();
    if (ids.join(",") === before.join(",")) {
      say(format(texts.unchanged, place(item)));
      return;
    }
    setSaving(true);
    say(format(texts.saving, place(item)));
    const body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", token.value);
    body.set("order", ids.join(","));
    body.set("entry", item.dataset.entry);
    let reason = texts.unreachable;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token.value },
      });
      const type = response.headers.get("Content-Type") || "";
      const answer = type.indexOf("application/json") === 0 ? await response.json() : null;
      if (response.ok && answer && Array.isArray(answer.order)) {
        arrange(answer.order.map(String));
        refreshMoves();
        say(format(texts.saved, place(item)));
        return;
      }
      reason = answer && answer.error
        ? answer.error.message
        : format(texts.status, { status: response.status });
    } catch (error) {
      // The network, not the server: the reason stays "could not be reached".
    } finally {
      setSaving(false);
    }
    arrange(before);
    refreshMoves();
    say(format(texts.failed, { reason: reason }), true);
  }

  // --- the keyboard -------------------------------------------------------------------------

  function pickUp(item, handle) {
    held = { item: item, before: order() };
    item.classList.add("held");
    handle.setAttribute("aria-pressed", "true");
    say(format(texts.picked, place(item)));
  }

  function putDown(keep) {
    const item = held.item;
    const before = held.before;
    held = null;
    item.classList.remove("held");
    item.querySelector(".drag-handle").setAttribute("aria-pressed", "false");
    if (keep) {
      save(item, before);
    } else {
      arrange(before);
      refreshMoves();
      say(format(texts.cancelled, place(item)));
    }
  }

  function onKey(event, item, handle) {
    if (saving) return;
    const key = event.key;
    if (!held) {
      if (key === " " || key === "Enter") {
        event.preventDefault();
        pickUp(item, handle);
      }
      return;
    }
    const index = entriesOf(item.parentElement).indexOf(item);
    const targets = {
      ArrowUp: index - 1,
      ArrowLeft: index - 1,
      ArrowDown: index + 1,
      ArrowRight: index + 1,
      Home: 0,
      End: Infinity,
    };
    if (key in targets) {
      event.preventDefault();
      placeAt(item, targets[key]);
      refreshMoves();
      say(format(texts.moved, place(item)));
    } else if (key === " " || key === "Enter" || key === "Escape") {
      event.preventDefault();
      putDown(key !== "Escape");
    }
  }

  // --- the pointer --------------------------------------------------------------------------

  /* Within this many pixels of the window's top or bottom edge, a drag scrolls the page, so an
     entry can be taken past what the window shows (the last of fourteen to the top). */
  const EDGE = 56;

  function follow() {
    const item = dragged.item;
    const y = dragged.y;
    // Its place: after every other entry of the section whose middle is above the pointer.
    const index = entriesOf(item.parentElement).filter(function (other) {
      if (other === item) return false;
      const box = other.getBoundingClientRect();
      return box.top + box.height / 2 < y;
    }).length;
    placeAt(item, index);
    refreshMoves();
  }

  function scrollWhileNearAnEdge() {
    if (!dragged) return;
    const y = dragged.y;
    let step = 0;
    if (y < EDGE) step = -Math.ceil((EDGE - y) / 3);
    else if (y > window.innerHeight - EDGE) step = Math.ceil((y - window.innerHeight + EDGE) / 3);
    if (step) {
      window.scrollBy(0, step);
      follow();
    }
    dragged.frame = window.requestAnimationFrame(scrollWhileNearAnEdge);
  }

  function onPointerDown(event, item, handle) {
    if (saving || held || event.button !== 0) return;
    event.preventDefault();
    handle.focus();
    handle.setPointerCapture(event.pointerId);
    dragged = { item: item, before: order(), pointerId: event.pointerId, y: event.clientY };
    item.classList.add("dragging");
    dragged.frame = window.requestAnimationFrame(scrollWhileNearAnEdge);
  }

  function onPointerMove(event) {
    if (!dragged || event.pointerId !== dragged.pointerId) return;
    dragged.y = event.clientY;
    follow();
  }

  function onPointerEnd(event, keep) {
    if (!dragged || event.pointerId !== dragged.pointerId) return;
    const item = dragged.item;
    const before = dragged.before;
    window.cancelAnimationFrame(dragged.frame);
    dragged = null;
    item.classList.remove("dragging");
    if (keep) {
      save(item, before);
    } else {
      arrange(before);
      refreshMoves();
    }
  }

  // --- the page -----------------------------------------------------------------------------

  lists.forEach(function (list) {
    entriesOf(list).forEach(function (item) {
      const handle = document.createElement("button");
      handle.type = "button";
      handle.className = "drag-handle";
      handle.setAttribute("aria-pressed", "false");
      handle.setAttribute("aria-label", format(texts.handle, { title: titleOf(item) }));
      if (help) handle.setAttribute("aria-describedby", help.id);
      handle.textContent = texts.handleText;
      handle.addEventListener("keydown", function (event) { onKey(event, item, handle); });
      handle.addEventListener("blur", function () { if (held && held.item === item) putDown(false); });
      handle.addEventListener("pointerdown", function (event) { onPointerDown(event, item, handle); });
      handle.addEventListener("pointermove", onPointerMove);
      handle.addEventListener("pointerup", function (event) { onPointerEnd(event, true); });
      handle.addEventListener("pointercancel", function (event) { onPointerEnd(event, false); });
      const actions = item.querySelector(".builder-actions") || item;
      actions.insertBefore(handle, actions.firstChild);
    });
  });

  // The Move up / Move down buttons: the same move, in place.
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    if (!button || !button.dataset.move) return;
    const item = button.closest("li.builder-entry[data-entry]");
    if (!item || lists.indexOf(item.parentElement) < 0) return;
    event.preventDefault();
    if (saving || held) return;
    const before = order();
    const index = entriesOf(item.parentElement).indexOf(item);
    placeAt(item, button.dataset.move === "up" ? index - 1 : index + 1);
    save(item, before);
    // Its button may be hidden now (the entry reached an end): the handle keeps the focus.
    if (button.form.hidden) item.querySelector(".drag-handle").focus();
  });

  if (help) help.hidden = false;
  refreshMoves();
})();
