"""Property tests (hypothesis) of the rule language: pure functions over plain data, so a few
hundred generated tickets and rules per property run in well under a second each."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.facts import ticket_facts
from routing.rule_parser import FIELDS
from routing.rules import BoolOp, Rule, RuleSyntaxError, evaluate_rules, matches, parse
from routing.versions import parse_version

# Whatever JSON a webhook or the app may send as a fact: text with anything in it, numbers of
# any size, lists, nested objects, nulls.
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
facts_strategy = st.dictionaries(st.sampled_from(sorted(FIELDS)), json_values, max_size=12)

# Conditions people write, over every field and operator.
OPS = ["=", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "matches"]
words = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=8)
values = (
    words
    | st.lists(words, min_size=1, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
    | words.map(lambda w: f"/{w}/i")
    | st.integers(-(10**6), 10**6).map(str)
    | st.sampled_from(["3", "3.0.0.0.1", "v3", "2.9.1-beta", "0.5", "urgent", "ios"])
)
conditions = st.builds(
    lambda f, o, v: f"{f} {o} {v}", st.sampled_from(sorted(FIELDS)), st.sampled_from(OPS), values
)


def parsed(text: str):
    try:
        return parse(text)
    except RuleSyntaxError:
        return None


@settings(max_examples=200)
@given(conditions, facts_strategy)
def test_evaluating_any_rule_on_any_ticket_data_never_raises(condition, facts):
    node = parsed(condition)
    if node is not None:
        assert matches(node, facts) in (True, False)
        outcome = evaluate_rules([Rule(name="r", condition=node, set_queue="q")], facts)
        assert outcome.facts.get("queue") == ("q" if outcome.fired else facts.get("queue"))


@settings(max_examples=150)
@given(
    subject=st.text(max_size=60),
    body=st.text(max_size=200),
    email=st.text(max_size=60),
    context=st.dictionaries(st.text(max_size=20), json_values, max_size=8),
    account=st.dictionaries(st.text(max_size=10), json_values, max_size=4),
    condition=conditions,
)
def test_facts_from_any_input_feed_the_rules_without_error(
    subject, body, email, context, account, condition
):
    facts = ticket_facts(
        subject=subject, body=body, customer_email=email, context=context, account=account
    )
    node = parsed(condition)
    if node is not None:
        assert matches(node, facts) in (True, False)


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_parsing_any_text_either_works_or_says_why(text):
    try:
        parse(text)
    except RuleSyntaxError as exc:
        assert str(exc)


versions = st.lists(st.integers(0, 10**30), min_size=1, max_size=6)


@settings(max_examples=200)
@given(versions, versions)
def test_versions_compare_like_their_numbers_with_trailing_zeros_dropped(a, b):
    va, vb = parse_version(".".join(map(str, a))), parse_version(".".join(map(str, b)))

    def strip(parts):
        parts = list(parts)
        while parts and parts[-1] == 0:
            parts.pop()
        return tuple(parts)

    assert va == strip(a) and vb == strip(b)
    assert (va < vb) == (strip(a) < strip(b))
    assert (va == vb) == (strip(a) == strip(b))
    # a total order: exactly one of <, ==, >
    assert [va < vb, va == vb, va > vb].count(True) == 1


@settings(max_examples=200)
@given(st.text(max_size=30) | st.integers() | st.floats() | st.none() | st.booleans())
def test_any_version_string_parses_to_a_tuple_of_ints_or_none(value):
    parsed_version = parse_version(value)
    assert parsed_version is None or all(isinstance(p, int) and p >= 0 for p in parsed_version)


def test_a_single_value_where_a_list_belongs_is_read_as_a_list_of_one():
    """Found by the property above: a number or boolean as `tags` or `session_events` raised."""
    assert (
        matches(parse("session_events contains payment_failed"), {"session_events": 1.5}) is False
    )
    assert matches(parse("tags = 1.5"), {"tags": 1.5})
    assert matches(parse("session_events matches /true/i"), {"session_events": True})
    outcome = evaluate_rules(
        [Rule(name="r", condition=parse("always"), add_tags=("vip",))], {"tags": 2.0}
    )
    assert outcome.facts["tags"] == [2.0, "vip"]


def test_versions_at_their_edges():
    assert parse_version("3") == parse_version("3.0") == parse_version("3.0.0.0") == (3,)
    assert parse_version("3.0.0.0.1") == (3, 0, 0, 0, 1) > parse_version("3")
    assert parse_version("v3") == (3,)
    assert parse_version("") is None
    assert parse_version(-1) is None and parse_version("-1") is None  # was (-1,) for the number
    assert parse_version(0) == parse_version("0") == ()
    assert parse_version("9" * 400) == (int("9" * 400),)
    facts = {"app_version": "9" * 400}
    assert matches(parse("app_version > 3.0"), facts)
    assert not matches(parse("app_version < 3.0"), {"app_version": "3.0.0.0.1"})
    assert matches(parse("app_version = 3"), {"app_version": "v3.0"})
    assert matches(parse("app_version != 3"), {"app_version": ""})  # no version: not 3


@settings(max_examples=150)
@given(st.lists(conditions, min_size=1, max_size=4), facts_strategy)
def test_and_or_not_behave_as_boolean_logic(texts, facts):
    nodes = [n for n in map(parsed, texts) if n is not None]
    if not nodes:
        return
    truths = [matches(n, facts) for n in nodes]
    assert matches(BoolOp("and", tuple(nodes)), facts) == all(truths)
    assert matches(BoolOp("or", tuple(nodes)), facts) == any(truths)
    assert matches(BoolOp("not", (nodes[0],)), facts) == (not truths[0])
    # and through the parser, with brackets
    kept = [t for t in texts if parsed(t) is not None]
    joined = " and ".join(f"({t})" for t in kept)
    either = " or ".join(f"({t})" for t in kept)
    assert matches(parse(joined), facts) == all(truths)
    assert matches(parse(either), facts) == any(truths)
    assert matches(parse(f"not ({joined})"), facts) == (not all(truths))
