"""Plain facts about a ticket, the only input the rule engine sees (no ORM objects)."""

CONTEXT_FIELDS = ("locale", "platform", "app_version", "os_version")


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if email and "@" in email else ""


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
    for name in CONTEXT_FIELDS:
        value = context.get(name)
        facts[name] = "" if value is None else str(value)
    return facts
