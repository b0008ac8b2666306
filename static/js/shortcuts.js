/* Keyboard shortcuts of the agent workspace (docs/WORKSPACE.md). `?` lists them.
 * List: j / k select the next / previous ticket, Enter opens it.
 * Ticket page: r reply, n internal note, m macro picker (when the page has one), s status,
 * j / k the next / previous ticket of the list it was opened from.
 * Keys never fire while typing in a field (Escape does: it closes the help, or leaves the field). */
(function () {
  "use strict";

  const LIST_KEY = "helpdesk:worklist";  // the ids and links of the last list shown
  const SHORTCUTS = [
    ["j / k", "Next / previous ticket"],
    ["Enter", "Open the selected ticket (in the list)"],
    ["r", "Reply to the customer"],
    ["n", "Write an internal note"],
    ["m", "Open the macro picker"],
    ["s", "Change the status"],
    ["?", "Show this list"],
    ["Esc", "Close this list, or leave a field"],
  ];

  function typing(el) {
    if (!el || !el.tagName) return false;
    const tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  // --- the list ------------------------------------------------------------------------------

  function rows() {
    return Array.from(document.querySelectorAll("table.tickets tr[data-ticket-id]"));
  }

  let selectedId = null;

  function rememberList() {
    const list = rows().map((row) => {
      const link = row.querySelector("a[href]");
      return { id: row.dataset.ticketId, url: link ? link.getAttribute("href") : "" };
    });
    try { sessionStorage.setItem(LIST_KEY, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }

  function showSelection() {
    rows().forEach((row) => {
      const on = row.dataset.ticketId === selectedId;
      row.classList.toggle("kbd-selected", on);
      if (on) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
  }

  function moveInList(step) {
    const all = rows();
    if (!all.length) return;
    let index = all.findIndex((row) => row.dataset.ticketId === selectedId);
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    selectedId = all[index].dataset.ticketId;
    showSelection();
    const link = all[index].querySelector("a[href]");
    if (link) link.focus({ preventScroll: true });
    all[index].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    const row = rows().find((r) => r.dataset.ticketId === selectedId);
    const link = row && row.querySelector("a[href]");
    if (!link) return false;
    window.location.assign(link.getAttribute("href"));
    return true;
  }

  // --- the ticket page -------------------------------------------------------------------------

  function ticketId() {
    const page = document.querySelector(".ticket-page[data-ws-url]");
    const match = page && /\/ws\/tickets\/([^/]+)\//.exec(page.dataset.wsUrl);
    return match ? match[1] : null;
  }

  function moveFromTicket(step) {
    let list = [];
    try { list = JSON.parse(sessionStorage.getItem(LIST_KEY) || "[]"); } catch (e) { list = []; }
    const index = list.findIndex((item) => item.id === ticketId());
    const next = index < 0 ? null : list[index + step];
    if (next && next.url) window.location.assign(next.url);
  }

  function focusReply(internal) {
    const body = document.getElementById("id_body");
    if (!body) return;
    const box = document.getElementById("id_internal");
    if (box) box.checked = internal;
    body.focus();
    body.scrollIntoView({ block: "center" });
  }

  function openMacroPicker() {
    const picker = document.querySelector("[data-macro-picker]");
    if (!picker) return false;
    if (picker.tagName.toLowerCase() === "details") picker.open = true;
    picker.dispatchEvent(new CustomEvent("helpdesk:open-macro-picker", { bubbles: true }));
    const field = typing(picker) ? picker : picker.querySelector("input, select, textarea, button, summary");
    (field || picker).focus();
    return true;
  }

  function focusStatus() {
    const select = document.getElementById("id_status");
    if (!select) return;
    const details = select.closest("details");
    if (details) details.open = true;
    select.focus();
  }

  // --- the help ------------------------------------------------------------------------------

  function help() { return document.getElementById("shortcut-help"); }

  function showHelp() {
    let box = help();
    if (!box) {
      box = document.createElement("div");
      box.id = "shortcut-help";
      box.className = "shortcut-help";
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-modal", "true");
      box.setAttribute("aria-labelledby", "shortcut-help-title");
      box.tabIndex = -1;
      const panel = document.createElement("div");
      panel.className = "shortcut-panel";
      const title = document.createElement("h2");
      title.id = "shortcut-help-title";
      title.textContent = "Keyboard shortcuts";
      const list = document.createElement("dl");
      SHORTCUTS.forEach(([keys, what]) => {
        const dt = document.createElement("dt");
        keys.split(" / ").forEach((key, i) => {
          if (i) dt.append(" / ");
          const kbd = document.createElement("kbd");
          kbd.textContent = key;
          dt.append(kbd);
        });
        const dd = document.createElement("dd");
        dd.textContent = what;
        list.append(dt, dd);
      });
      const close = document.createElement("button");
      close.type = "button";
      close.className = "btn";
      close.textContent = "Close";
      close.addEventListener("click", hideHelp);
      panel.append(title, list, close);
      box.append(panel);
      box.addEventListener("click", (e) => { if (e.target === box) hideHelp(); });
      document.body.append(box);
    }
    returnFocus = document.activeElement;
    box.hidden = false;
    box.focus();
  }

  let returnFocus = null;

  function hideHelp() {
    const box = help();
    if (box) box.hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
    returnFocus = null;
  }

  function helpOpen() {
    const box = help();
    return !!box && !box.hidden;
  }

  // --- keys ----------------------------------------------------------------------------------

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || e.isComposing) return;
    if (e.key === "Escape") {
      if (helpOpen()) { hideHelp(); e.preventDefault(); return; }
      if (typing(e.target)) e.target.blur();
      return;
    }
    if (typing(e.target)) return;
    if (e.key === "?") { helpOpen() ? hideHelp() : showHelp(); e.preventDefault(); return; }
    if (helpOpen()) return;
    const onList = !!document.querySelector(".ws-layout");
    const onTicket = !!ticketId();
    let done = true;
    if (onList && (e.key === "j" || e.key === "k")) moveInList(e.key === "j" ? 1 : -1);
    else if (onList && e.key === "Enter" && selectedId && !e.target.closest("a, button")) {
      done = openSelected();
    }
    else if (onTicket && (e.key === "j" || e.key === "k")) moveFromTicket(e.key === "j" ? 1 : -1);
    else if (onTicket && e.key === "r") focusReply(false);
    else if (onTicket && e.key === "n") focusReply(true);
    else if (onTicket && e.key === "m") done = openMacroPicker();
    else if (onTicket && e.key === "s") focusStatus();
    else done = false;
    if (done) e.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector(".ws-layout, .ticket-page")) return;
    document.addEventListener("keydown", onKey);
    if (document.querySelector(".ws-layout")) {
      rememberList();
      // the list is re-fetched live: keep the selection and the remembered order current
      document.body.addEventListener("htmx:afterSwap", () => { rememberList(); showSelection(); });
    }
  });
})();
