"""Full-text search over tickets: subject, body and public comments.

On PostgreSQL it reads `Ticket.search_vector`, which the database keeps current (the triggers of
migration 0010, in each ticket's own language) and a GIN index serves. Each ticket is matched
against the query read in its own language (`websearch_to_tsquery`: words, "quoted phrases", `or`,
`-not`), so "refunds" finds an English ticket stemmed to `refund`; the newest RANK_WINDOW matches
are ranked with `ts_rank` (subject over body over comments). Elsewhere (SQLite, `make run`) it falls back to
`icontains`, newest first. Internal notes are never searched: their words must not make a ticket
findable to a customer, and one index serves every role.

Snippets are `ts_headline` excerpts whose matches are fenced by private-use characters; the text
around them is escaped and only the fences become `<mark>` (`snippet_html`), so ticket text
cannot inject markup."""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
    SearchRank,
)
from django.db import connections
from django.db.models import (
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
)
from django.db.models.functions import Concat, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Comment, Ticket

# Ticket.language → the text search configuration its vector is built with (the migration's
# `tickets_search_config` holds the same table); anything else is 'simple' (no stemming).
SEARCH_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
MARK_START, MARK_STOP = "\ue000", "\ue001"
MAX_QUERY_LENGTH = 200
RANK_WINDOW = 5000
_SNIPPET_SOURCE_CHARS = 20000


def full_text_available(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


class _LanguageTag(SearchQueryCombinable, Func):  # type: ignore[misc]  # as SearchQuery
    """The lexeme the database adds to each ticket's vector naming its configuration."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()
    config = None

    def __init__(self, config: str):
        super().__init__(Value(f"'lang {config}'"))


def search_query(text: str) -> SearchQueryCombinable:
    """`text` read in each language, each reading bound to that language's tickets: one tsquery
    (one GIN scan) in which `-word` excludes in every language and stems never cross."""
    readings = [
        SearchQuery(text, config=config, search_type="websearch") & _LanguageTag(config)
        for config in _configs()
    ]
    query = readings[0]
    for reading in readings[1:]:
        query = query | reading
    return query


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


def _clip(text: str) -> str:
    return text.strip()[:MAX_QUERY_LENGTH]


def search_q(text: str, *, using: str = "default") -> Q:
    """The tickets whose text matches `text` (empty `text` matches none)."""
    text = _clip(text)
    if not text:
        return Q(pk__in=[])
    if full_text_available(using):
        return Q(search_vector=search_query(text))
    public = Comment.objects.filter(internal=False, body__icontains=text).values("ticket_id")
    return Q(subject__icontains=text) | Q(body__icontains=text) | Q(pk__in=public)


def search_rank(text: str, *, using: str = "default") -> Expression:
    """How well a ticket matches `text` (0 everywhere without full-text search)."""
    text = _clip(text)
    if text and full_text_available(using):
        return SearchRank(F("search_vector"), search_query(text))
    return Value(0.0, output_field=FloatField())


def search_window(qs: QuerySet[Ticket], *, text: str) -> QuerySet:
    """The ids of the newest RANK_WINDOW tickets of `qs` matching `text`: what is ranked and
    counted. A word in half of a million tickets would otherwise rank half a million vectors
    per page; past the window the newest matches are the ones worth reading, and more words
    narrow the search."""
    return qs.filter(search_q(text, using=qs.db)).order_by("-created_at").values("pk")[:RANK_WINDOW]


def ticket_search(qs: QuerySet[Ticket], *, text: str) -> QuerySet[Ticket]:
    """The tickets of `qs` matching `text` (the newest RANK_WINDOW of them), best match first
    (then newest), with `search_rank` annotated. `qs` decides the scope (what the caller may see,
    other filters); the answer is a fresh query over the ids it allows, so the planner starts
    from the matches, and joins are the caller's to add."""
    return (
        qs.model.objects.using(qs.db)
        .filter(pk__in=search_window(qs, text=text))
        .annotate(search_rank=search_rank(text, using=qs.db))
        .order_by("-search_rank", "-created_at")
    )


def tickets_with_snippets(tickets: list[Ticket], *, text: str) -> list[Ticket]:
    """Set `search_subject` and `search_snippet` (marked text, see `snippet_html`) on a page of
    found tickets: one query for the page, so excerpts are never built for rows not shown."""
    text = _clip(text)
    if not tickets or not text:
        return tickets
    using = tickets[0]._state.db or "default"
    if not full_text_available(using):
        for ticket in tickets:
            ticket.search_subject = _plain_mark(ticket.subject, text)  # type: ignore[attr-defined]  # set for the template
            ticket.search_snippet = _plain_excerpt(ticket.body, text)  # type: ignore[attr-defined]
        return tickets
    query = search_query(text)
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
