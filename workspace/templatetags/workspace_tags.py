from django import template
from django.utils import timezone

from core.roles import user_role
from tickets.search import snippet_html

register = template.Library()


@register.simple_tag
def role_of(user) -> str:
    return user_role(user)


@register.filter
def label(value) -> str:
    return str(value or "").replace("_", " ")


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{round(float(value) * 100)}%"


@register.filter
def until(due) -> str:
    """'in 2h 05m' or '35m overdue' (the page's script keeps it ticking)."""
    if not due:
        return "—"
    seconds = int((due - timezone.now()).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
    if minutes >= 60 * 48:
        text = f"{minutes // (60 * 24)}d"
    return f"{text} overdue" if seconds < 0 else f"in {text}"


@register.filter
def overdue(due) -> bool:
    return bool(due) and due < timezone.now()


@register.filter
def snippet(marked) -> str:
    """A search excerpt as HTML: the ticket's text escaped, its matches in <mark>."""
    return snippet_html(str(marked or ""))
