"""Plain facts about a ticket, the only input the rule engine sees (no ORM objects).

Four groups of rule fields: the ticket's own (subject, channel, ...), the mobile context's
(`CONTEXT_FIELDS`), the customer's account as an integration described it (`ACCOUNT_FIELDS`) and
the classifier's answer (`PREDICTED_FIELDS`). A rule that reads a predicted
field runs in phase 2, after the classifier (docs/ROUTING.md)."""

# context key → kind. Every key here is a rule field read from `ticket.context`; adding a field
# (an account plan, say) is one line: "account_plan": "text".
CONTEXT_FIELDS: dict[str, str] = {
    "locale": "text",
    "platform": "text",
    "app_version": "version",
    "os_version": "version",
    "last_screen": "text",
    "session_events": "list",
}

# the customer's account (tickets.CustomerAccount, sent by the integration) → kind; read only
# when an enabled rule uses one of them
ACCOUNT_FIELDS: dict[str, str] = {
    "plan": "text",
    "tier": "text",
    "mrr": "number",
    "billing_events": "list",
}

# what the classifier answers → kind. `queue` counts: the model names a queue, and before it (or
# a rule) has, a new ticket has none. `confidence` is the model's, 0 to 1.
PREDICTED_FIELDS: dict[str, str] = {
    "queue": "text",
    "category": "text",
    "priority": "priority",
    "language": "text",
    "confidence": "number",
}


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if email and "@" in email else ""


def _context_value(kind: str, value):
    if kind == "list":
        if value is None or value == "":
            return []
        return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]
    return "" if value is None else str(value)


def ticket_facts(
    *,
    subject: str = "",
    body: str = "",
    channel: str = "",
    category: str = "",
    priority: str = "",
    queue: str = "",
    language: str = "",
    customer_email: str = "",
    tags: list | None = None,
    context: dict | None = None,
    previous_tickets_count: int | None = None,
    account: dict | None = None,
) -> dict:
    """The facts a rule can test. `previous_tickets_count` from the context wins over a counted
    one (the mobile app knows about tickets filed elsewhere)."""
    context = context if isinstance(context, dict) else {}
    facts = {
        "channel": channel or "",
        "category": category or "",
        "priority": priority or "",
        "queue": queue or "",
        "language": language or context.get("language") or "",
        "subject": subject or "",
        "body": body or "",
        "text": f"{subject or ''}\n{body or ''}",
        "email_domain": email_domain(customer_email),
        "tags": list(tags or []),
        "previous_tickets_count": context.get("previous_tickets_count", previous_tickets_count),
    }
    for name, kind in CONTEXT_FIELDS.items():
        facts[name] = _context_value(kind, context.get(name))
    account = account or {}
    for name, kind in ACCOUNT_FIELDS.items():
        facts[name] = (
            account.get(name) if kind == "number" else _context_value(kind, account.get(name))
        )
    return facts


def predicted_facts(
    facts: dict,
    *,
    labels: dict,
    confidence: float | None,
    language: str = "",
    fixed: frozenset[str] | set[str] = frozenset(),
) -> dict:
    """The facts phase-2 rules see: `facts` (as phase 1 left them) with the classifier's labels
    filled in, also below the triage threshold. Fields in `fixed` (set by a phase-1 rule, an
    explicit priority, a given language) keep their value; without an answer a field keeps the
    stored one."""
    out = dict(facts)
    for name in ("queue", "category", "priority"):
        if name not in fixed and labels.get(name):
            out[name] = labels[name]
    if "language" not in fixed and not out.get("language") and language:
        out["language"] = language
    out["confidence"] = confidence
    return out
