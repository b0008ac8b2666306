"""Full-text search over tickets: subject, body and public comments.

On PostgreSQL it reads `Ticket.search_vector`, which the database keeps current (the triggers of
migration 0010, in each ticket's own language) and a GIN index serves. Each ticket is matched
against the query read in its own language (`websearch_to_tsquery`: words, "quoted phrases", `or`,
`-not`), so "refunds" finds an English ticket stemmed to `refund`; matches are ranked with
`ts_rank` (subject over body over comments). Elsewhere (SQLite, `make run`) it falls back to
`icontains`, newest first. Internal notes are never searched: their words must not make a ticket
findable to a customer, and one index serves every role.

Snippets are `ts_headline` excerpts whose matches are fenced by private-use characters; the text
around them is escaped and only the fences become `<mark>` (`snippet_html`), so ticket text
cannot inject markup."""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
)
from django.db import connections
from django.db.models import (
    Case,
    Expression,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Left
from django.db.models.lookups import Exact
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Comment, Ticket

# Ticket.language → the text search configuration its vector is built with (the migration's
# `tickets_search_config` holds the same table); anything else is 'simple' (no stemming).
SEARCH_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
MARK_START, MARK_STOP = "\ue000", "\ue001"
MAX_QUERY_LENGTH = 200
_SNIPPET_SOURCE_CHARS = 20000


def full_text_available(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def search_query(text: str, config: str) -> SearchQuery:
    return SearchQuery(text, config=config, search_type="websearch")


def _ticket_config() -> Func:
    """The configuration a ticket's vector was built with (the migration's SQL function)."""
    return Func(
        F("language"),
        function="tickets_search_config",
        template="%(function)s(%(expressions)s)::text",
        output_field=TextField(),
    )


def _configs() -> list[str]:
    return [*SEARCH_CONFIGS.values(), "simple"]


def search_q(text: str, *, using: str = "default") -> Q:
    """The tickets whose text matches `text` (empty `text` matches none). On PostgreSQL each
    ticket is matched against `text` read in its own language (so `-word` excludes in every
    language), one GIN index scan per language."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return Q(pk__in=[])
    if full_text_available(using):
        match = Q(pk__in=[])
        for config in _configs():
            match |= Q(
                Exact(_ticket_config(), Value(config)),
                search_vector=search_query(text, config),
            )
        return match
    public = Comment.objects.filter(internal=False, body__icontains=text).values("ticket_id")
    return Q(subject__icontains=text) | Q(body__icontains=text) | Q(pk__in=public)


def _per_config(text: str, make, output_field) -> Case:
    return Case(
        *[
            When(Exact(_ticket_config(), Value(config)), then=make(search_query(text, config)))
            for config in _configs()
        ],
        output_field=output_field,
    )


def search_rank(text: str, *, using: str = "default") -> Expression:
    """How well a ticket matches `text` (0 everywhere without full-text search)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if text and full_text_available(using):
        return _per_config(text, lambda query: SearchRank(F("search_vector"), query), FloatField())
    return Value(0.0, output_field=FloatField())


def ticket_search(qs: QuerySet[Ticket], *, text: str) -> QuerySet[Ticket]:
    """`qs` narrowed to the tickets matching `text`, best match first (then newest), with
    `search_rank` annotated. Scope `qs` to what the caller may see first."""
    return (
        qs.filter(search_q(text, using=qs.db))
        .annotate(search_rank=search_rank(text, using=qs.db))
        .order_by("-search_rank", "-created_at")
    )


def tickets_with_snippets(tickets: list[Ticket], *, text: str) -> list[Ticket]:
    """Set `search_subject` and `search_snippet` (marked text, see `snippet_html`) on a page of
    found tickets: one query for the page, so excerpts are never built for rows not shown."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not tickets or not text:
        return tickets
    using = tickets[0]._state.db or "default"
    if not full_text_available(using):
        for ticket in tickets:
            ticket.search_subject = _plain_mark(ticket.subject, text)  # type: ignore[attr-defined]  # set for the template
            ticket.search_snippet = _plain_excerpt(ticket.body, text)  # type: ignore[attr-defined]
        return tickets
    query = _per_config(text, lambda query: query, SearchQueryField())
    config = _ticket_config()
    comments = (
        Comment.objects.filter(ticket=OuterRef("pk"), internal=False)
        .values("ticket")
        .annotate(text=StringAgg("body", delimiter=" "))
        .values("text")
    )
    source = Left(
        Concat(F("body"), Value(" "), Subquery(comments), output_field=TextField()),
        _SNIPPET_SOURCE_CHARS,
    )
    rows = (
        Ticket.objects.using(using)
        .filter(pk__in=[t.pk for t in tickets])
        .annotate(
            hl_subject=SearchHeadline(
                "subject",
                query,
                config=config,
                highlight_all=True,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
            ),
            hl_body=SearchHeadline(
                source,
                query,
                config=config,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
            ),
        )
        .values_list("pk", "hl_subject", "hl_body")
    )
    found = {pk: (subject, body) for pk, subject, body in rows}
    for ticket in tickets:
        subject, body = found.get(ticket.pk, (ticket.subject, ""))
        ticket.search_subject = subject  # type: ignore[attr-defined]
        ticket.search_snippet = body or ""  # type: ignore[attr-defined]
    return tickets


def snippet_html(marked: str) -> SafeString:
    """Marked text as HTML: everything escaped, matches in `<mark>` (always balanced)."""
    out: list[str] = []
    open_ = False
    for piece in _split_marks(marked or ""):
        if piece == MARK_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif piece == MARK_STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(escape(piece))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308  # every piece of text escaped above


def _split_marks(text: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in (MARK_START, MARK_STOP):
            pieces.append("".join(current))
            pieces.append(char)
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [p for p in pieces if p]


def _clean(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_STOP, "")


def _plain_mark(text: str, needle: str) -> str:
    """`text` with each case-insensitive occurrence of `needle` fenced (the icontains fallback)."""
    text = _clean(text or "")
    low, key, out, at = text.lower(), needle.lower(), [], 0
    while key:
        found = low.find(key, at)
        if found < 0:
            break
        out += [text[at:found], MARK_START, text[found : found + len(key)], MARK_STOP]
        at = found + len(key)
    out.append(text[at:])
    return "".join(out)


def _plain_excerpt(text: str, needle: str, width: int = 160) -> str:
    text = _clean(text or "")
    found = text.lower().find(needle.lower())
    start = max(0, found - width // 2) if found >= 0 else 0
    excerpt = text[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + _plain_mark(excerpt, needle) + suffix
