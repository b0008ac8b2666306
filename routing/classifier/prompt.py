"""What Claude is shown: the live labels (from the database) as a forced tool's input schema, the
queue descriptions, and the three most similar resolved tickets."""

from dataclasses import dataclass

from anthropic.types import ToolParam

from tickets.models import Category, Priority, Queue

TOOL_NAME = "route_ticket"
MAX_TEXT = 4000


@dataclass
class Labels:
    queues: dict[str, str]  # slug → description
    categories: list[str]
    subcategories: list[str]
    priorities: list[str]


def live_labels() -> Labels:
    queues = dict(
        Queue.objects.filter(is_active=True, is_triage=False)
        .order_by("slug")
        .values_list("slug", "description")
    )
    categories = list(
        Category.objects.filter(parent__isnull=True).order_by("slug").values_list("slug", flat=True)
    )
    subcategories = list(
        Category.objects.filter(parent__isnull=False)
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    return Labels(queues, categories, subcategories, list(Priority.values))


def _confidence(what: str) -> dict:
    return {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "description": f"Probability that the chosen {what} is right.",
    }


def tool_schema(labels: Labels) -> ToolParam:
    properties: dict = {
        "queue": {"type": "string", "enum": list(labels.queues)},
        "queue_confidence": _confidence("queue"),
        "priority": {"type": "string", "enum": labels.priorities},
        "priority_confidence": _confidence("priority"),
        "language": {"type": "string", "description": "ISO 639-1 code of the ticket's language."},
        "reason": {"type": "string", "description": "One short sentence: why this queue."},
    }
    required = ["queue", "queue_confidence", "priority", "priority_confidence"]
    if labels.categories:
        properties["category"] = {"type": "string", "enum": labels.categories}
        properties["category_confidence"] = _confidence("category")
        required += ["category", "category_confidence"]
    if labels.subcategories:
        properties["subcategory"] = {"type": "string", "enum": labels.subcategories}
    return {
        "name": TOOL_NAME,
        "description": "Record where this support ticket goes.",
        "input_schema": {"type": "object", "properties": properties, "required": required},
    }


def system_prompt(labels: Labels) -> str:
    lines = [
        "You route customer support tickets. Choose exactly one queue, category and priority "
        "from the allowed values and call the route_ticket tool. Priorities: urgent = service "
        "down, data loss or security; high = blocked with no workaround; normal = default; "
        "low = questions and requests.",
        "",
        "Queues:",
    ]
    lines += [
        f"- {slug}: {description or '(no description)'}"
        for slug, description in labels.queues.items()
    ]
    return "\n".join(lines)


def user_prompt(*, text: str, context: dict, similar: list[dict]) -> str:
    parts = []
    if similar:
        parts.append("Similar resolved tickets and where they went:")
        for i, example in enumerate(similar, 1):
            parts.append(
                f"{i}. queue={example.get('queue') or '-'} category={example.get('category') or '-'} "
                f"priority={example.get('priority') or '-'}: {example.get('text', '')[:300]}"
            )
        parts.append("")
    shown = {
        k: v for k, v in (context or {}).items() if k != "session_events" and v not in ("", None)
    }
    if shown:
        parts.append(f"Context: {shown}")
    parts.append("<ticket>")
    parts.append(text[:MAX_TEXT])
    parts.append("</ticket>")
    return "\n".join(parts)
