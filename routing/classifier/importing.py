"""Loading historical, already-handled tickets in bulk (no routing pipeline: they are the past)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from tickets.models import Category, Channel, Priority, Queue, Status, Ticket
from tickets.services import tickets_store_history

from .csvio import Mapping, label_slug, normalise_priority, read_rows
from .language import detect_language
from .text import ticket_text

BATCH = 2000
MAX_SUBJECT = 255


@dataclass
class ImportResult:
    rows: int = 0
    queues_created: list[str] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    unknown_priorities: int = 0


def split_single_text(text: str) -> tuple[str, str]:
    """One text column: the subject is its start (cut at a word), the body the rest."""
    if len(text) <= MAX_SUBJECT:
        return text, ""
    cut = text.rfind(" ", 0, MAX_SUBJECT)
    cut = cut if cut > 0 else MAX_SUBJECT
    return text[:cut], text[cut:].lstrip()


class _Labels:
    """Queues and categories by slug, created on first sight."""

    def __init__(self, model, result_list: list[str]) -> None:
        self.model = model
        self.created = result_list
        self.by_slug = {obj.slug: obj for obj in model.objects.all()}

    def get(self, raw: str):
        raw = raw.strip()
        if not raw:
            return None
        slug = label_slug(raw)
        if slug not in self.by_slug:
            obj, made = self.model.objects.get_or_create(slug=slug, defaults={"name": raw[:100]})
            if made:
                self.created.append(slug)
            self.by_slug[slug] = obj
        return self.by_slug[slug]


def tickets_import(
    *, path: Path, mapping: Mapping, total: int = 0, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Store each row as a resolved ticket with its labels. File order is taken as time order
    (one second apart, ending now), so "the most recent history" means the end of the file."""
    result = ImportResult()
    queues = _Labels(Queue, result.queues_created)
    categories = _Labels(Category, result.categories_created)
    start = timezone.now() - timedelta(seconds=total or 0)
    single = len(mapping.text) == 1
    batch: list[Ticket] = []

    def flush() -> None:
        tickets_store_history(tickets=batch)
        if progress:
            progress(len(batch))
        batch.clear()

    for i, row in enumerate(read_rows(path, mapping)):
        subject, body = (
            split_single_text(row["subject"]) if single else (row["subject"], row["body"])
        )
        labels = row["labels"]
        priority: str = Priority.NORMAL
        if labels.get("priority", "").strip():
            priority = normalise_priority(labels["priority"]) or Priority.NORMAL
            result.unknown_priorities += not normalise_priority(labels["priority"])
        language = (labels.get("language") or "").strip().lower()[:10]
        at = start + timedelta(seconds=i)
        batch.append(
            Ticket(
                subject=subject[:MAX_SUBJECT] or "(no subject)",
                body=body,
                channel=Channel.API,
                status=Status.RESOLVED,
                priority=priority,
                queue=queues.get(labels.get("queue", "")),
                category=categories.get(labels.get("category", "")),
                language=language or detect_language(ticket_text(subject, body)),
                created_at=at,
                resolved_at=at,
            )
        )
        result.rows += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return result
