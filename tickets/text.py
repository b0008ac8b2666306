"""Normalisation of text that arrives from outside (webhook, API): pure functions, no ORM.

PostgreSQL refuses NUL characters and lone UTF-16 surrogates in text and JSON, so every string
that may be stored passes through `clean_text` first; HTML bodies become plain text."""

import html
import re
from html.parser import HTMLParser

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_HTML_HINT = re.compile(
    r"</?(html|head|body|p|br|div|span|a|table|tr|td|th|b|i|u|strong|em|ul|ol|li|"
    r"h[1-6]|blockquote|pre|img|font|hr|style|script)(\s[^<>]*)?/?\s*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "header",
    "footer",
}
_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template"}
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
ELLIPSIS = "…"


def clean_text(value: str) -> str:
    """Drop characters PostgreSQL cannot store (NUL, lone surrogates) and control characters."""
    return _SURROGATE.sub("", _CONTROL.sub("", value))


def truncate(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def looks_like_html(value: str) -> bool:
    return bool(_HTML_HINT.search(value))


class _TextExtractor(HTMLParser):
    def __init__(self, *, source_breaks: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._source_breaks = source_breaks
        self._pre = 0

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self._pre += 1
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._pre = max(self._pre - 1, 0)
        if tag in _SKIP_TAGS:
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCK_TAGS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._source_breaks and not self._pre:
            data = data.replace("\r", " ").replace("\n", " ")
        if not self._skip:
            self.parts.append(data)


def html_to_text(value: str, *, source_breaks: bool = True) -> str:
    """Plain text of an HTML fragment or document: tags and scripts gone, entities decoded,
    blocks on their own lines. `source_breaks=False` (a document known to be HTML, such as a
    mail's text/html part): the line breaks of the source are spaces outside `<pre>`, as a
    browser shows them; by default a text with a few tags in it keeps its own lines."""
    parser = _TextExtractor(source_breaks=source_breaks)
    try:
        parser.feed(value)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # HTMLParser is lenient, but never let odd markup fail an intake
        text = html.unescape(re.sub(r"<[^>]*>", " ", value))
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalise_line(value: str, *, limit: int) -> str:
    """A one-line field (subject): HTML removed, whitespace collapsed, trimmed, cut to `limit`."""
    value = clean_text(value)
    if looks_like_html(value):
        value = html_to_text(value)
    value = " ".join(value.split())
    return truncate(value, limit)


def normalise_body(value: str, *, limit: int) -> str:
    """A message body: HTML turned into text, line endings unified, trimmed, cut to `limit`."""
    value = clean_text(value.replace("\r\n", "\n").replace("\r", "\n"))
    if looks_like_html(value):
        value = html_to_text(value)
    return truncate(value.strip(), limit)


def normalise_email(value: str) -> str:
    return clean_text(value).strip().lower()


def clean_json(value, *, depth: int = 0):
    """Strings inside a JSON value made storable; nesting deeper than 5 levels is cut off."""
    if depth > 5:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v, depth=depth + 1) for v in value]
    return value
