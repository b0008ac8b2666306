"""Claude as the drafter, when `ANTHROPIC_API_KEY` is set (and `ANTHROPIC_BASE_URL`, if given).

The model answers with JSON: the reply and its own confidence that the reply fully solves the
issue. Any failure (network, bad JSON) returns None and the caller falls back to the best saved
reply."""

import json
import logging
import re

from django.conf import settings

logger = logging.getLogger(__name__)

SYSTEM = (
    "You are a customer support agent. Draft the reply to the customer's ticket, in the "
    "ticket's language. Build it from the saved replies when one applies, and use the "
    "customer's own history; never invent account details, links, codes or numbers. Answer "
    "with one JSON object only: "
    '{"reply": "<the message to the customer>", "confidence": <0.0-1.0, how sure you are '
    "that this reply fully resolves the issue without a human>}."
)


def llm_configured() -> bool:
    return bool(getattr(settings, "ANTHROPIC_API_KEY", None))


_clients: dict[tuple, object] = {}


def _client():
    """One client per (key, base URL), reused across drafts. Not routing's client: routing keeps a
    1.8 s budget inside the request, while drafting runs in Celery and may take up to 30 s."""
    import anthropic

    base_url = getattr(settings, "ANTHROPIC_BASE_URL", None) or None
    key = (settings.ANTHROPIC_API_KEY, base_url)
    if key not in _clients:
        _clients[key] = anthropic.Anthropic(
            api_key=settings.ANTHROPIC_API_KEY, base_url=base_url, timeout=30.0, max_retries=1
        )
    return _clients[key]


def _parse(text: str) -> tuple[str, float] | None:
    found = re.search(r"\{.*\}", text, re.DOTALL)
    if not found:
        return None
    try:
        data = json.loads(found.group(0))
        reply, confidence = str(data["reply"]).strip(), float(data["confidence"])
    except (ValueError, KeyError, TypeError):
        return None
    if not reply:
        return None
    return reply, min(max(confidence, 0.0), 1.0)


def llm_draft(*, context: dict, saved_replies: list[dict]) -> tuple[str, float] | None:
    """Claude's reply and confidence, from this ticket's context and the saved replies offered
    (no other customer's conversation is ever in the prompt)."""
    prompt = json.dumps(
        {"ticket_context": context, "saved_replies": saved_replies}, ensure_ascii=False
    )
    try:
        response = _client().messages.create(
            model=settings.HELPDESK_LLM_MODEL,
            max_tokens=1024,
            system=SYSTEM,
            messages=[{"role": "user", "content": prompt}],
        )
        text = "".join(getattr(block, "text", "") for block in response.content)
    except Exception:  # the API being down must never stop a ticket; fall back instead
        logger.exception("Claude draft failed")
        return None
    return _parse(text)
