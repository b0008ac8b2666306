"""The training set: stored tickets with their final labels (after corrections), oldest first,
as `routing.selectors.training_rows()` defines them."""

from dataclasses import dataclass

from .text import MAX_CHARS


@dataclass
class Row:
    text: str
    queue: str = ""
    category: str = ""
    priority: str = ""
    language: str = ""
    subcategory: str = ""


def as_row(item) -> Row:
    """A selector tuple (text, queue, category, priority, language[, subcategory]) as a Row."""
    values = [v or "" for v in item]
    row = Row(*values[:6])
    row.text = row.text.strip()[:MAX_CHARS]
    return row


def training_rows() -> list[Row]:
    from routing import selectors

    return [as_row(item) for item in selectors.training_rows(with_subcategory=True).iterator(5000)]
