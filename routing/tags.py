"""Tags by hand: what a tag may look like (one normal form, so "Refund " and "refund" are one
tag) and the tags in use, counted in SQL, for suggestions. Writes are `routing.corrections`'."""

import re

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection

from core.exceptions import ApplicationError
from tickets.models import Ticket
from tickets.selectors import ticket_visible_q

MAX_TAG_LENGTH = 50
MAX_TAGS = 50  # on one ticket
MAX_TAGS_AT_ONCE = 20  # in one request, macro or bulk action
_SPACES = re.compile(r"\s+")
# letters and digits of any script, and - _ . : / + # between words
_TAG = re.compile(r"[^\W_](?:[\w.:/+#-]*[^\W_])?|[^\W_]")


def tag_normalise(value: object) -> str:
    """One tag in its normal form: trimmed, lowercased, inner spaces as dashes; a ValueError
    (with the reason) for anything else."""
    if not isinstance(value, str):
        raise ValueError("A tag must be a string.")
    tag = _SPACES.sub("-", value.strip().lower())
    if not tag:
        raise ValueError("A tag cannot be empty.")
    if len(tag) > MAX_TAG_LENGTH:
        raise ValueError(f"A tag may have at most {MAX_TAG_LENGTH} characters.")
    if not _TAG.fullmatch(tag):
        raise ValueError(
            f"'{tag[:MAX_TAG_LENGTH]}' is not a tag: use letters and digits, joined by - _ . : /"
        )
    return tag


def tag_key(tag: object) -> object:
    """What a stored tag is compared by: its normal form, or itself when it has none."""
    try:
        return tag_normalise(tag)
    except ValueError:
        return tag


def tags_normalise(values: object, *, field: str = "tags") -> list[str]:
    """A list of tags in their normal form, in order, without repeats (blank ones skipped); a
    400 naming `field` and every bad tag otherwise."""
    if not isinstance(values, list | tuple):
        raise ApplicationError("Give a list of tags.", fields={field: ["Give a list of tags."]})
    values = [v for v in values if not (isinstance(v, str) and not v.strip())]
    if len(values) > MAX_TAGS_AT_ONCE:
        message = f"At most {MAX_TAGS_AT_ONCE} tags at once."
        raise ApplicationError(message, fields={field: [message]})
    tags, errors = [], []
    for value in values:
        try:
            tags.append(tag_normalise(value))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ApplicationError(errors[0], fields={field: errors})
    return list(dict.fromkeys(tags))


def tag_counts(
    *, user: AbstractBaseUser | AnonymousUser, prefix: str = "", limit: int = 50
) -> list[tuple[str, int]]:
    """The tags on tickets `user` may see, with how many tickets carry each, most used first
    (one aggregate over the JSON arrays, in the database)."""
    visible = ticket_visible_q(user)
    if visible is None:
        return []
    ids_sql, ids_params = (
        Ticket.objects.filter(visible).order_by().values("pk").query.sql_with_params()
    )
    table = connection.ops.quote_name(Ticket._meta.db_table)
    if connection.vendor == "postgresql":
        arrays = "CASE WHEN jsonb_typeof(t.tags) = 'array' THEN t.tags ELSE '[]' END"
        elements, tag = f"jsonb_array_elements_text({arrays}) AS tag", "tag"
    else:  # SQLite (the embedded default)
        elements, tag = "json_each(t.tags) AS tag", "tag.value"
    name = f"lower({tag})"  # rules may have written "VIP": one suggestion with "vip"
    sql = (
        f"SELECT {name}, COUNT(DISTINCT t.id) AS n FROM {table} t, {elements} "
        f"WHERE t.id IN ({ids_sql}) AND {name} LIKE %s ESCAPE '\\' "
        f"GROUP BY {name} ORDER BY n DESC, {name} LIMIT %s"
    )
    like = re.sub(r"([\\%_])", r"\\\1", prefix.strip().lower()) + "%"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids_params, like, limit])
        return [(str(name), int(n)) for name, n in cursor.fetchall()]
