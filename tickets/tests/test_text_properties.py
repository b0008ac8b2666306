"""Property tests (hypothesis) of the normalisers every webhook and API string goes through
(tickets/text.py, and the serializer fields of journey/serializers.py that call them)."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tickets import text

# Any text at all, lone surrogates and NUL included, plus markup-heavy text (the HTML path).
any_text = st.text(alphabet=st.characters(codec=None), max_size=300)
markup = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<br>",
            "<div>",
            "</div>",
            "<script>",
            "</script>",
            "<li>",
            "&lt;",
            "&gt;",
            "&amp;",
            "&#0;",
            "&#xd800;",
            "<pre>",
            "</pre>",
            "\r\n",
            "\r",
            "\n",
            " ",
            "\t",
            "\x00",
            "\ud800",
            "a",
            "é",
            "…",
            "<b",
            "<!--",
            "-->",
            "<![CDATA[",
            "<p x='>'>",
        ]
    ),
    max_size=60,
).map("".join)
texts = any_text | markup
limits = st.integers(min_value=1, max_value=400)
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(value: str) -> None:
    assert not UNSTORABLE.search(value)
    value.encode("utf-8")  # a lone surrogate would raise here


@settings(max_examples=200)
@given(texts, limits)
def test_a_line_is_storable_within_its_limit_and_stable(value, limit):
    once = text.normalise_line(value, limit=limit)
    _storable(once)
    assert len(once) <= limit
    assert "\n" not in once and "\r" not in once
    if not text.looks_like_html(once):  # markup written as entities: see below
        assert text.normalise_line(once, limit=limit) == once


@settings(max_examples=200)
@given(texts, limits)
@example("<p>&lt;p&gt;hello</p>", 100)
def test_a_body_is_storable_within_its_limit_and_stable(value, limit):
    once = text.normalise_body(value, limit=limit)
    _storable(once)
    assert len(once) <= limit
    assert "\r" not in once
    if not text.looks_like_html(once):  # see the test below
        assert text.normalise_body(once, limit=limit) == once


def test_markup_written_as_entities_is_kept_as_the_sender_wrote_it():
    """The one place normalising twice differs from once, by choice: an HTML mail that quotes
    markup (`&lt;div&gt;`) keeps it as text the first time, and a second pass would read it as
    markup. The body is normalised once, on the way in, and always shown escaped, so keeping
    what the customer wrote wins over idempotence here."""
    once = text.normalise_body("<p>My page shows &lt;div&gt; literally</p>", limit=100)
    assert once == "My page shows <div> literally"


@settings(max_examples=200)
@given(texts)
def test_an_address_is_storable_and_stable(value):
    once = text.normalise_email(value)
    _storable(once)
    assert text.normalise_email(once) == once


@settings(max_examples=150)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
        max_leaves=30,
    )
)
def test_json_is_made_storable_and_cut_at_depth(value):
    import json

    cleaned = text.clean_json(value)
    dumped = json.dumps(cleaned, ensure_ascii=False)
    _storable(dumped)
    assert text.clean_json(cleaned) == cleaned
