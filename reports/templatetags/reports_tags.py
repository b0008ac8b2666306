from django import template

from ..labels import label_for

register = template.Library()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


@register.simple_tag
def report_cell(row: dict, key: str) -> str:
    """A table cell: durations (keys ending in _s) made readable, None as an em dash."""
    value = row.get(key)
    if value is None or value == "":
        return "—"
    if key.endswith("_s") and isinstance(value, int | float):
        return _duration(float(value))
    if key.endswith("_pct") and isinstance(value, int | float):
        return f"{value:.1f} %"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@register.filter
def label(key: str, table: str = "") -> str:
    """Human words for a figure's key (`{{ key|label:table }}`), never an abbreviation."""
    return label_for(str(key), str(table or ""))
