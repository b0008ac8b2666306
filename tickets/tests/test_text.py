"""Normalisation of incoming text (pure functions)."""

import pytest

from tickets import text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
        ("Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three"),
        ("<div>Fish &amp; chips &lt;3 &#233;t&eacute;</div>", "Fish & chips <3 été"),
        ("<style>.x{}</style><script>evil()</script><b>kept</b>", "kept"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("<P CLASS='x'>Upper</P>", "Upper"),
    ],
)
def test_html_to_text(raw, expected):
    assert text.looks_like_html(raw)
    assert text.normalise_body(raw, limit=1000) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "a < b > c",
        "Write to <alice@example.com>",
        "<a@b.com> bounced",
        "x<y",
        "<3 it",
        "<https://x.y/>",
    ],
)
def test_plain_text_with_angle_brackets_is_not_html(raw):
    assert not text.looks_like_html(raw)
    assert text.normalise_body(raw, limit=1000) == raw


def test_clean_text_drops_what_postgres_cannot_store():
    assert text.clean_text("a\x00b\ud800c\x07d\te\nf") == "abcd\te\nf"


def test_truncate_marks_the_cut():
    assert text.truncate("abcdef", 6) == "abcdef"
    assert text.truncate("abcdefg", 6) == "abcde…"
    assert len(text.normalise_line("word " * 100, limit=255)) == 255


def test_line_collapses_whitespace_and_body_keeps_lines():
    assert text.normalise_line("  a \n\t b  ", limit=10) == "a b"
    assert text.normalise_body("  a\r\nb\rc  ", limit=10) == "a\nb\nc"


def test_email_is_trimmed_and_lowercased():
    assert text.normalise_email("  Ann@Example.COM ") == "ann@example.com"


def test_clean_json_cleans_keys_values_and_limits_depth():
    deep: dict = {"v": 1}
    for _ in range(10):
        deep = {"n": deep}
    cleaned = text.clean_json({"k\x00": ["x\x00", {"y": "\udfffz"}], "deep": deep})
    assert cleaned["k"] == ["x", {"y": "z"}]
    node = cleaned["deep"]
    depth = 0
    while isinstance(node, dict):
        node, depth = node.get("n"), depth + 1
    assert depth < 10
