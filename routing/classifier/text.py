"""How a ticket becomes the one string the models read."""

MAX_CHARS = 5000


def ticket_text(subject: str, body: str) -> str:
    """Subject, then body; capped so one huge e-mail cannot slow the classifier down."""
    return f"{subject.strip()}\n{body.strip()}".strip()[:MAX_CHARS]
