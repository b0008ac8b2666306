"""The rule language: every operator, versions, missing fields, ordering, stop. No database."""

import re

import pytest

from routing.facts import (
    CONTEXT_FIELDS,
    PREDICTED_FIELDS,
    email_domain,
    ticket_facts,
)
from routing.rules import (
    FIELDS,
    Rule,
    RuleSyntaxError,
    evaluate_rules,
    fields_used,
    matches,
    parse,
)
from routing.versions import parse_version


def facts(**overrides) -> dict:
    base = ticket_facts(
        subject="Invoice charged twice",
        body="I was charged twice for my subscription. Error 503 on checkout.",
        channel="in_app",
        priority="normal",
        language="en",
        customer_email="Jane@Corp.Example.com",
        tags=["vip", "Beta"],
        context={
            "platform": "ios",
            "app_version": "2.9.1",
            "os_version": "17.2",
            "locale": "de_DE",
            "previous_tickets_count": 4,
        },
    )
    base.update(overrides)
    return base


def hit(condition: str, **overrides) -> bool:
    return matches(parse(condition), facts(**overrides))


@pytest.mark.parametrize(
    "condition, expected",
    [
        # equals / not equals, case-insensitive, on every text field
        ("channel = in_app", True),
        ("channel == IN_APP", True),
        ("channel = email", False),
        ("channel != email", True),
        ("channel != in_app", False),
        ("platform = ios", True),
        ("locale = de_de", True),
        ("language = en", True),
        ("email_domain = corp.example.com", True),
        ("email_domain = example.com", False),
        ("priority = normal", True),
        ("subject = 'invoice charged twice'", True),
        ("subject = invoice charged twice", True),
        # in / not in
        ("platform in [ios, android]", True),
        ("platform in [web, 'android']", False),
        ("platform not in [web, android]", True),
        ("platform not in [ios]", False),
        ("channel in ['in_app']", True),
        # contains: a word, a phrase, a list (any), at word starts, case-insensitive
        ("subject contains invoice", True),
        ("subject contains INVOICE", True),
        ("subject contains charge", True),  # "charged": words match at their start
        ("subject contains voice", False),  # but not inside a word
        ("body contains 'charged twice'", True),
        ("body contains [refund, subscription]", True),
        ("body contains [refund, chargeback]", False),
        ("text contains [invoice]", True),  # text = subject + body
        ("text contains checkout", True),
        ("subject contains checkout", False),
        # matches
        (r"body matches /error\s+5\d\d/", True),
        (r"body matches /ERROR 4\d\d/", False),
        ("subject matches '^invoice'", True),  # case-insensitive by default
        ("subject matches /^charged/", False),
        (r"app_version matches /^2\./", True),
        # versions compared as versions
        ("app_version < 3.0", True),
        ("app_version < 2.10", True),
        ("app_version > 2.9", True),
        ("app_version >= 2.9.1", True),
        ("app_version <= 2.9.1", True),
        ("app_version > 2.9.1", False),
        ("app_version = 2.9.1", True),
        ("app_version != 2.9.1", False),
        ("app_version in [2.9.1, 3.0]", True),
        ("os_version >= 17", True),
        ("os_version < 17.2.0", False),
        # integers
        ("previous_tickets_count >= 3", True),
        ("previous_tickets_count > 4", False),
        ("previous_tickets_count = 4", True),
        ("previous_tickets_count < 5", True),
        # priority compares by rank
        ("priority >= normal", True),
        ("priority > normal", False),
        ("priority < high", True),
        # tags (a list)
        ("tags contains vip", True),
        ("tags contains beta", True),
        ("tags contains [gold, vip]", True),
        ("tags = VIP", True),
        ("tags != vip", False),
        ("tags in [gold, beta]", True),
        ("tags not in [gold]", True),
        ("tags matches /^be/", True),
        # boolean structure
        ("platform = ios and app_version < 3.0", True),
        ("platform = android and app_version < 3.0", False),
        ("platform = android or app_version < 3.0", True),
        ("(platform = android or platform = ios) and channel = in_app", True),
        ("not platform = android", True),
        ("not (platform = ios and channel = in_app)", False),
        ("platform = web or platform = ios and channel = email", False),  # and binds tighter
        ("always", True),
        ("PLATFORM = ios AND CHANNEL = in_app", True),  # keywords and fields in any case
    ],
)
def test_operators(condition, expected):
    assert hit(condition) is expected


@pytest.mark.parametrize(
    "left, op, right, expected",
    [
        ("2.10.0", ">", "2.9.1", True),
        ("2.10.0", "<", "2.9.1", False),
        ("3.0", "=", "3.0.0", True),
        ("3", "=", "3.0", True),
        ("3.0.1", ">", "3", True),
        ("10.0", ">", "9.9.9", True),
        ("2.9.1-beta", "=", "2.9.1", True),
        ("v4.1", ">=", "4.1", True),
        ("1.0.0", "<", "1.0.1", True),
    ],
)
def test_versions_compare_numerically(left, op, right, expected):
    assert hit(f"app_version {op} {right}", app_version=left) is expected


def test_version_parsing():
    assert parse_version("2.10.0") > parse_version("2.9.1")
    assert parse_version("3.0") == parse_version("3.0.0") == parse_version("3")
    assert parse_version("17.2 (21C62)") == (17, 2)
    assert parse_version("three") is None
    assert parse_version(None) is None
    assert parse_version(3) == (3,)


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("app_version < 3.0", False),
        ("app_version = 2.9.1", False),
        ("app_version != 2.9.1", True),  # a missing value is not equal to anything
        ("platform = ios", False),
        ("platform != ios", True),
        ("platform in [ios]", False),
        ("platform not in [ios]", True),
        ("platform contains ios", False),
        ("platform matches /.*/", False),
        ("previous_tickets_count >= 0", False),
        ("tags contains vip", False),
        ("email_domain = corp.example.com", False),
    ],
)
def test_missing_fields_only_satisfy_negations(condition, expected):
    empty = ticket_facts(subject="s", body="b")
    assert matches(parse(condition), empty) is expected


def test_unparsable_ticket_version_counts_as_missing():
    assert hit("app_version < 3.0", app_version="nightly") is False
    assert hit("app_version != 3.0", app_version="nightly") is True


def test_previous_count_from_context_string_and_zero():
    assert hit("previous_tickets_count = 0", previous_tickets_count=0) is True
    assert hit("previous_tickets_count > 2", previous_tickets_count="3") is True


@pytest.mark.parametrize(
    "condition, message",
    [
        ("foo = 1", "unknown field 'foo'"),
        ("app_version < 3.x", "version '3.x' does not parse"),
        ("os_version >= banana", "version 'banana' does not parse"),
        ("app_version in [2.0, x]", "version 'x' does not parse"),
        ("subject matches /(unclosed/", "bad regular expression"),
        ("subject matches '[a-'", "bad regular expression"),
        ("subject matches /x/q", "unknown regular expression flag 'q'"),
        ("subject matches /never closed", "unterminated regular expression"),
        ("subject matches invoice", "needs a regular expression"),
        ("subject ~= x", "unknown operator '~='"),
        ("subject is x", "unknown operator 'is'"),
        ("subject", "expected an operator"),
        ("channel < 3", "operator '<' does not apply to field 'channel'"),
        ("app_version contains 3", "operator 'contains' does not apply"),
        ("priority = hot", "unknown priority 'hot'"),
        ("previous_tickets_count > many", "not a whole number"),
        ("platform in ios", "needs a list"),
        ("platform in [ios, android", "missing ']'"),
        ("category =", "expected a value"),
        ("(platform = ios", "missing ')'"),
        ("platform = ios)", "unexpected ')'"),
        ("platform = ios and", "expected a condition"),
        ("subject = 'open", "unterminated quoted value"),
        ("", "no conditions"),
        ("   ", "no conditions"),
    ],
)
def test_bad_rules_are_refused_with_a_message(condition, message):
    with pytest.raises(RuleSyntaxError, match=re.escape(message)):
        parse(condition)


def test_parse_is_cached_by_text():
    assert parse("platform = ios") is parse("platform = ios")


def test_fields_used():
    tree = parse("(app_version < 3 or platform = ios) and not previous_tickets_count > 2")
    assert fields_used(tree) == {"app_version", "platform", "previous_tickets_count"}


def test_email_domain():
    assert email_domain("Jane@Corp.Example.com") == "corp.example.com"
    assert email_domain("not-an-email") == ""


# ---------------------------------------------------------------- evaluate_rules


def rule(name, condition, order=100, **actions) -> Rule:
    return Rule(name=name, condition=parse(condition), id=order, order=order, **actions)


def test_legacy_billing_example():
    rules = [
        rule(
            "Legacy billing",
            "app_version < 3.0 and category = billing",
            10,
            set_queue="legacy-billing",
        )
    ]
    assert evaluate_rules(rules, facts(category="billing")).changes == {"queue": "legacy-billing"}
    assert evaluate_rules(rules, facts(category="billing", app_version="3.0.0")).changes == {}
    assert evaluate_rules(rules, facts(category="tech")).changes == {}


def test_later_rules_see_earlier_results():
    rules = [
        rule(
            "Legacy billing",
            "app_version < 3.0 and category = billing",
            20,
            set_queue="legacy-billing",
        ),
        rule("Invoices are billing", "subject contains invoice", 10, set_category="billing"),
    ]
    outcome = evaluate_rules(rules, facts())
    assert [f["name"] for f in outcome.fired] == ["Invoices are billing", "Legacy billing"]
    assert outcome.changes == {"category": "billing", "queue": "legacy-billing"}
    assert outcome.set_by == {"category": "Invoices are billing", "queue": "Legacy billing"}


def test_order_decides_who_wins():
    first = rule("A", "platform = ios", 1, set_queue="mobile")
    second = rule("B", "channel = in_app", 2, set_queue="in-app")
    assert evaluate_rules([second, first], facts()).changes["queue"] == "in-app"
    swapped = [rule("A", "platform = ios", 3, set_queue="mobile"), second]
    assert evaluate_rules(swapped, facts()).changes["queue"] == "mobile"


def test_stop_ends_evaluation():
    rules = [
        rule("VIP", "tags contains vip", 1, set_priority="high", stop=True),
        rule("Everything else", "always", 2, set_priority="low", add_tags=("later",)),
    ]
    outcome = evaluate_rules(rules, facts())
    assert outcome.changes == {"priority": "high"}
    assert outcome.stopped_by == "VIP"
    assert [f["name"] for f in outcome.fired] == ["VIP"]
    assert "later" not in outcome.facts["tags"]


def test_non_matching_stop_rule_does_not_stop():
    rules = [
        rule("Android only", "platform = android", 1, set_priority="high", stop=True),
        rule("Everything", "always", 2, set_priority="low"),
    ]
    assert evaluate_rules(rules, facts()).changes == {"priority": "low"}


def test_all_actions_and_tags_deduplicated():
    rules = [
        rule("Tag", "platform = ios", 1, add_tags=("mobile", "vip"), require_skill="ios"),
        rule("Priority", "tags contains mobile", 2, set_priority="urgent", add_tags=("mobile",)),
    ]
    outcome = evaluate_rules(rules, facts())
    assert outcome.tags == ["mobile"]  # "vip" was already there; "mobile" only once
    assert outcome.facts["tags"] == ["vip", "Beta", "mobile"]
    assert outcome.changes == {"required_skill": "ios", "priority": "urgent"}


def test_priority_set_by_rule_is_seen_by_later_rules():
    rules = [
        rule("Outage", "body contains 503", 1, set_priority="urgent"),
        rule("Urgent to ops", "priority >= high", 2, set_queue="ops"),
    ]
    assert evaluate_rules(rules, facts()).changes == {"priority": "urgent", "queue": "ops"}


def test_evaluation_does_not_mutate_input():
    original = facts()
    evaluate_rules([rule("Tag", "always", 1, add_tags=("x",), set_queue="q")], original)
    assert original["tags"] == ["vip", "Beta"]
    assert original["queue"] == ""


def test_no_rules_no_changes():
    outcome = evaluate_rules([], facts())
    assert outcome.fired == [] and outcome.changes == {} and outcome.tags == []


def test_unicode_and_quoted_list_items():
    assert hit("subject contains über", subject="Rechnung über 40 €") is True
    assert hit("subject contains ber", subject="Rechnung über 40 €") is False
    assert hit("body contains ['twice for', refund]") is True
    assert hit("platform in ['i,os', android]", platform="i,os") is True


def test_priority_lists_and_regex():
    assert hit("priority in [high, urgent]", priority="urgent") is True
    assert hit("priority in [high, urgent]") is False
    assert hit("priority matches /^norm/") is True


# ---------------------------------------------------------------- context fields, count, confidence

CONTEXT = {
    "platform": "ios",
    "app_version": "2.9.1",
    "last_screen": "Checkout",
    "session_events": ["app_open", "view_checkout", "tap_pay", "payment_failed"],
}


def on_context(condition: str, **context) -> bool:
    return matches(parse(condition), ticket_facts(subject="s", context={**CONTEXT, **context}))


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("last_screen = checkout", True),
        ("last_screen = checkout and platform = ios", True),
        ("last_screen in [cart, checkout]", True),
        ("last_screen != checkout", False),
        ("session_events contains payment_failed", True),
        ("session_events contains [login_failed, tap_pay]", True),
        ("session_events contains login_failed", False),
        ("session_events = tap_pay", True),
        ("session_events count > 3", True),
        ("session_events count >= 4", True),
        ("session_events count = 4", True),
        ("session_events count == 4", True),
        ("session_events count != 4", False),
        ("session_events count < 4", False),
        ("session_events count <= 4 and last_screen = checkout", True),
        ("not session_events count > 10", True),
        ("tags count = 0", True),
    ],
)
def test_context_fields_and_count(condition, expected):
    assert on_context(condition) is expected


def test_count_of_missing_or_odd_lists():
    empty = ticket_facts(subject="s")
    assert empty["session_events"] == [] and empty["last_screen"] == ""
    assert matches(parse("session_events count = 0"), empty) is True
    assert matches(parse("session_events count > 0"), empty) is False
    assert on_context("session_events count = 1", session_events="tap_pay") is True
    assert on_context("session_events contains tap_pay", session_events="tap_pay") is True


@pytest.mark.parametrize(
    "confidence, condition, expected",
    [
        (0.82, "confidence >= 0.8", True),
        (0.82, "confidence > 0.82", False),
        (0.82, "confidence <= 0.82", True),
        (0.5, "confidence < 0.7", True),
        (1.0, "confidence >= 1", True),
        ("0.9", "confidence > 0.5", True),
        (None, "confidence < 0.7", False),  # no prediction: missing, satisfies nothing
        (None, "not confidence >= 0.7", True),
    ],
)
def test_confidence(confidence, condition, expected):
    assert hit(condition, confidence=confidence) is expected


@pytest.mark.parametrize(
    "condition, message",
    [
        ("confidence = 0.5", "compare 'confidence' with < <= > >= (it is a number)"),
        ("confidence in [0.5]", "compare 'confidence' with < <= > >="),
        ("confidence > 80", "confidence is between 0 and 1: '80' is out of range"),
        ("confidence > high", "'high' is not a number (confidence)"),
        ("confidence contains 5", "operator 'contains' does not apply"),
        (
            "platform count > 1",
            "'count' applies to list fields (billing_events, session_events, tags)",
        ),
        ("session_events count", "'session_events count' needs a comparison"),
        ("session_events count in [1]", "'session_events count' needs a comparison"),
        ("session_events count > many", "'many' is not a whole number (session_events count)"),
        ("last_screen < checkout", "operator '<' does not apply to field 'last_screen'"),
    ],
)
def test_new_fields_refuse_bad_rules_with_a_message(condition, message):
    with pytest.raises(RuleSyntaxError, match=re.escape(message)):
        parse(condition)


def test_every_context_field_is_a_rule_field():
    assert CONTEXT_FIELDS.keys() <= FIELDS.keys()
    assert {"last_screen", "session_events", "locale", "os_version"} <= CONTEXT_FIELDS.keys()
    assert PREDICTED_FIELDS.keys() <= FIELDS.keys()
