/* The workspace list's bulk actions: tick tickets (or all in view), pick an action and its value,
 * apply. The ticks survive the live re-renders of the list; after a run only the tickets that
 * refused stay ticked. */
(function () {
  "use strict";
  let kept = new Set();

  function picks() { return Array.from(document.querySelectorAll("[data-bulk-pick]")); }

  function update() {
    const all = picks();
    const chosen = all.filter((p) => p.checked);
    kept = new Set(chosen.map((p) => p.value));
    const count = document.querySelector("[data-bulk-count]");
    if (count) {
      count.textContent = chosen.length
        ? chosen.length + " ticket" + (chosen.length === 1 ? "" : "s") + " selected"
        : "Tick tickets below to act on several at once.";
    }
    const submit = document.querySelector("[data-bulk-submit]");
    if (submit) submit.disabled = chosen.length === 0;
    const box = document.querySelector("[data-bulk-all]");
    if (box) {
      box.checked = all.length > 0 && chosen.length === all.length;
      box.indeterminate = chosen.length > 0 && chosen.length < all.length;
    }
  }

  function showValue() {
    const action = document.querySelector("[data-bulk-action]");
    if (!action) return;
    const wanted = action.value === "assign" ? "agent" : action.value;
    document.querySelectorAll("[data-bulk-value]").forEach((el) => {
      const on = el.dataset.bulkValue === wanted;
      el.hidden = !on;
      el.querySelectorAll("select, input").forEach((input) => { input.disabled = !on; });
    });
  }

  document.addEventListener("change", (e) => {
    if (e.target.matches("[data-bulk-all]")) {
      picks().forEach((p) => { p.checked = e.target.checked; });
      update();
    } else if (e.target.matches("[data-bulk-pick]")) {
      update();
    } else if (e.target.matches("[data-bulk-action]")) {
      showValue();
    }
  });

  document.addEventListener("htmx:afterSwap", (e) => {
    if (e.target.id === "bulk-results") {
      const failed = e.target.querySelectorAll("[data-bulk-failed]");
      if (e.target.querySelector("[data-bulk-summary]")) {
        kept = new Set(Array.from(failed).map((el) => el.dataset.bulkFailed));
        picks().forEach((p) => { p.checked = kept.has(p.value); });
      }
    }
    if (e.target.id === "ticket-list" || e.target.id === "bulk-results") {
      picks().forEach((p) => { p.checked = kept.has(p.value); });
      update();
    }
  });

  document.addEventListener("DOMContentLoaded", () => { showValue(); update(); });
})();
