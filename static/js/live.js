/* Live pages: one WebSocket per page, named by the element with data-ws-url.
 * The socket only says *that* something changed (type + ticket id); the page then re-fetches
 * server-rendered fragments with htmx by firing the data-ws-event on <body>.
 * On the ticket page it also shows who else is viewing or typing (collision detection). */
(function () {
  "use strict";

  function configureHtmx() {
    if (!window.htmx) return;
    // Show 400/403/404/409 answers inline (they carry the error message); other errors are not swapped.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(400|403|404|409|413)", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  const LIST_EVENTS = new Set([
    "ticket.created", "ticket.routed", "ticket.assigned", "ticket.reassigned",
    "ticket.status_changed", "ticket.escalated", "ticket.resolved",
  ]);

  function setIndicator(state, text) {
    document.body.dataset.live = state;
    document.querySelectorAll("[data-live-indicator]").forEach(function (el) {
      el.dataset.state = state;
      const t = el.querySelector(".text");
      if (t) t.textContent = text;
    });
  }

  function Live(root) {
    this.root = root;
    this.url = root.dataset.wsUrl;
    this.eventName = root.dataset.wsEvent;
    this.isWorkspace = this.eventName === "helpdesk:changed";
    this.changed = new Set();
    this.timer = null;
    this.lastRefresh = 0;
    this.retry = 500;
    this.connectedOnce = false;
    this.viewers = new Map();
    this.connect();
  }

  Live.prototype.connect = function () {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(proto + location.host + this.url);
    this.ws = ws;
    ws.onopen = () => { this.retry = 500; };
    ws.onmessage = (e) => this.onMessage(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (e.code === 4401 || e.code === 4403) {
        setIndicator("off", "Live updates unavailable");
        return;
      }
      setIndicator("reconnecting", "Reconnecting…");
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 15000);
    };
  };

  Live.prototype.onMessage = function (msg) {
    if (msg.type === "ticket.snapshot" || msg.type === "workspace.ready") {
      setIndicator("connected", "Live");
      // After a dropped connection, catch up on whatever happened meanwhile.
      if (this.connectedOnce) this.refresh(null);
      this.connectedOnce = true;
      return;
    }
    if (msg.type === "presence") return this.onPresence(msg);
    if (this.isWorkspace && !LIST_EVENTS.has(msg.type)) return;
    this.refresh(msg.ticket_id);
  };

  // A change is shown QUIET_MS after it arrives (the events of one ticket's commit come
  // together), and the page re-fetches at most once per MIN_INTERVAL_MS: while events keep
  // coming (a busy help desk sends several a second) the lists still refresh every second,
  // and each agent's page costs the server at most one re-fetch a second.
  const QUIET_MS = 120;
  const MIN_INTERVAL_MS = 1000;

  Live.prototype.refresh = function (ticketId) {
    if (ticketId) this.changed.add(ticketId);
    if (this.timer) return;  // a re-fetch is already due: this change rides along
    const wait = Math.max(QUIET_MS, this.lastRefresh + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastRefresh = Date.now();
      if (!window.htmx) return;
      htmx.trigger(document.body, this.eventName);
      // Parts that must not be swapped while someone is typing in them (the ticket's action
      // forms) refresh on their own event, sent only when the focus is elsewhere. An htmx
      // trigger filter would do the same by eval, which the Content-Security-Policy forbids.
      document.querySelectorAll("[data-refresh-unless-focused]").forEach(function (el) {
        if (!el.contains(document.activeElement)) htmx.trigger(el, "helpdesk:unfocused");
      });
    }, wait);
  };

  Live.prototype.flashChanged = function () {
    this.changed.forEach((id) => {
      document.querySelectorAll('[data-ticket-id="' + CSS.escape(id) + '"]').forEach((row) => {
        row.classList.remove("flash");
        void row.offsetWidth;
        row.classList.add("flash");
      });
    });
    this.changed.clear();
  };

  Live.prototype.send = function (obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  };

  Live.prototype.onPresence = function (msg) {
    const key = msg.connection;
    if (msg.state === "left") this.viewers.delete(key);
    else this.viewers.set(key, msg);
    const box = document.getElementById("presence");
    if (!box) return;
    const people = Array.from(this.viewers.values());
    if (!people.length) {
      box.textContent = "";
      box.classList.remove("active");
      return;
    }
    const typing = people.filter((p) => p.state === "typing").map((p) => p.name);
    const viewing = people.filter((p) => p.state !== "typing").map((p) => p.name);
    const parts = [];
    if (typing.length) parts.push(unique(typing).join(", ") + " typing a reply");
    if (viewing.length) parts.push(unique(viewing).join(", ") + " also viewing");
    box.textContent = "⚠ " + parts.join(" · ");
    box.classList.add("active");
  };

  function unique(list) { return Array.from(new Set(list)); }

  function watchTyping(live) {
    let idle = null;
    let typing = false;
    document.addEventListener("input", (e) => {
      if (!e.target.matches || !e.target.matches("[data-typing]")) return;
      if (!typing) { typing = true; live.send({ type: "presence.typing", typing: true }); }
      clearTimeout(idle);
      idle = setTimeout(() => { typing = false; live.send({ type: "presence.typing", typing: false }); }, 4000);
    });
  }

  function tickClocks() {
    const now = Date.now();
    document.querySelectorAll("time[data-due]").forEach((el) => {
      const due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      const secs = Math.round((due - now) / 1000);
      const mins = Math.floor(Math.abs(secs) / 60);
      let text = mins >= 60 ? Math.floor(mins / 60) + "h " + String(mins % 60).padStart(2, "0") + "m" : mins + "m";
      if (mins >= 2880) text = Math.floor(mins / 1440) + "d";
      el.textContent = secs < 0 ? text + " overdue" : "in " + text;
      el.classList.toggle("overdue", secs < 0);
    });
  }

  function insertSuggestion(e) {
    const btn = e.target.closest("[data-insert-suggestion]");
    if (!btn) return;
    const source = document.querySelector(btn.dataset.insertSuggestion);
    const target = document.querySelector(btn.dataset.into);
    if (!source || !target) return;
    target.value = source.content ? source.content.textContent.trim() : source.textContent.trim();
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    configureHtmx();
    document.addEventListener("click", insertSuggestion);
    tickClocks();
    setInterval(tickClocks, 30000);
    const root = document.querySelector("[data-ws-url]");
    if (!root) return;
    const live = new Live(root);
    window.helpdeskLive = live;
    document.body.addEventListener("htmx:afterSwap", () => {
      tickClocks();
      live.flashChanged();
      if (live.ws && live.ws.readyState === WebSocket.OPEN) setIndicator("connected", "Live");
    });
    if (root.hasAttribute("data-presence")) watchTyping(live);
  });
})();
