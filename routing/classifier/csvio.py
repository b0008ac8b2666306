"""Reading labelled tickets from CSV for `import_tickets` and `evaluate_classifier`: column
mapping, and label values normalised the way they are stored (slugs, contract priorities)."""

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from tickets.models import Priority

LABEL_FIELDS = ("queue", "category", "priority", "language")
PRIORITY_MAP = {
    "low": Priority.LOW,
    "minor": Priority.LOW,
    "p4": Priority.LOW,
    "4": Priority.LOW,
    "normal": Priority.NORMAL,
    "medium": Priority.NORMAL,
    "moderate": Priority.NORMAL,
    "p3": Priority.NORMAL,
    "3": Priority.NORMAL,
    "high": Priority.HIGH,
    "major": Priority.HIGH,
    "p2": Priority.HIGH,
    "2": Priority.HIGH,
    "urgent": Priority.URGENT,
    "critical": Priority.URGENT,
    "highest": Priority.URGENT,
    "blocker": Priority.URGENT,
    "p1": Priority.URGENT,
    "1": Priority.URGENT,
}


class MappingError(ValueError):
    pass


@dataclass
class Mapping:
    text: list[str]
    labels: dict[str, str]  # field → column


def parse_mapping(*, text: str, labels: list[str]) -> Mapping:
    columns = [c.strip() for c in text.split(",") if c.strip()]
    if not columns:
        raise MappingError("--text needs at least one column name.")
    mapped: dict[str, str] = {}
    for item in labels or []:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise MappingError(f"--label expects FIELD=COLUMN, got {item!r}.")
        if field not in LABEL_FIELDS:
            raise MappingError(
                f"Unknown label field {field!r}; use one of {', '.join(LABEL_FIELDS)}."
            )
        mapped[field] = column
    return Mapping(columns, mapped)


def label_slug(value: str) -> str:
    """The slug a queue or category label is stored under ("HR Support" → "hr-support")."""
    value = value.strip()
    slug = slugify(value)[:100]
    if not slug and value:
        slug = "label-" + "".join(f"{ord(ch):x}" for ch in value)[:90]
    return slug


def normalise_priority(value: str) -> str:
    return PRIORITY_MAP.get(value.strip().lower(), "")


def normalise(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if field in ("queue", "category"):
        return label_slug(value)
    if field == "priority":
        return normalise_priority(value)
    return value.lower()[:10]


def _open(path: Path):
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    return path.open(newline="", encoding="utf-8-sig")


def count_rows(path: Path) -> int:
    with _open(path) as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def read_rows(path: Path, mapping: Mapping) -> Iterator[dict]:
    """Each row as {"subject", "body", "labels": {field: raw value}}; checks the columns first."""
    with _open(path) as handle:
        reader = csv.DictReader(handle)
        present = set(reader.fieldnames or [])
        missing = [c for c in [*mapping.text, *mapping.labels.values()] if c not in present]
        if missing:
            raise MappingError(
                f"Column(s) not in the file: {', '.join(missing)}. "
                f"Columns: {', '.join(reader.fieldnames or [])}."
            )
        for record in reader:
            texts = [(record.get(c) or "").strip() for c in mapping.text]
            subject, body = (texts[0], "\n\n".join(t for t in texts[1:] if t))
            yield {
                "subject": subject,
                "body": body,
                "labels": {f: record.get(c) or "" for f, c in mapping.labels.items()},
            }
