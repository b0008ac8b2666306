"""Two-phase rules: which phase a rule runs in, the split keeping the order, predicted facts,
and the combined outcome (split from test_rules.py, whose helpers it uses)."""

import pytest

from routing.facts import predicted_facts, ticket_facts
from routing.rules import evaluate_rules, outcomes_combine, parse, phases_split, rule_phase

from .test_rules import CONTEXT, facts, rule

# ---------------------------------------------------------------- phases


@pytest.mark.parametrize(
    "condition, phase",
    [
        ("app_version < 3.0 and category = billing", 2),
        ("last_screen = checkout and platform = ios", 1),
        ("subject contains chargeback", 1),
        ("locale = de_DE and category = account", 2),
        ("confidence < 0.5", 2),
        ("priority >= high", 2),
        ("language = de", 2),
        ("queue = billing", 2),
        ("not (platform = ios or category = billing)", 2),
        ("session_events count > 3 or tags contains vip", 1),
        ("always", 1),
    ],
)
def test_phase_follows_the_fields_read(condition, phase):
    assert rule_phase(parse(condition)) == phase
    assert rule("r", condition).phase == phase


def test_phases_split_keeps_the_order():
    rules = [
        rule("B2", "category = billing", 2),
        rule("A1", "platform = ios", 3),
        rule("C2", "confidence > 0.5", 1),
        rule("D1", "always", 0),
    ]
    first, second = phases_split(rules)
    assert [r.name for r in first] == ["D1", "A1"]
    assert [r.name for r in second] == ["C2", "B2"]


def test_two_phases_by_hand():
    """What routing does: phase 1 over the facts, phase 2 over the facts and the model's answer."""
    first_rules, second_rules = phases_split(
        [
            rule("Checkout", "last_screen = checkout", 1, add_tags=("checkout",)),
            rule("Legacy", "app_version < 3.0 and category = billing", 2, set_queue="legacy"),
            rule("Sure", "confidence >= 0.8 and tags contains checkout", 3, set_priority="high"),
        ]
    )
    base = ticket_facts(subject="I was charged twice", context=CONTEXT)
    first = evaluate_rules(first_rules, base)
    assert [f["name"] for f in first.fired] == ["Checkout"]
    seen = predicted_facts(
        first.facts, labels={"queue": "billing", "category": "billing"}, confidence=0.85
    )
    second = evaluate_rules(second_rules, seen)
    outcome = outcomes_combine(first, second)
    assert [f["name"] for f in outcome.fired] == ["Checkout", "Legacy", "Sure"]
    assert outcome.changes == {"queue": "legacy", "priority": "high"}
    assert outcome.tags == ["checkout"]
    assert outcomes_combine(first, None) is first


def test_predicted_facts_keep_what_is_fixed():
    base = facts(category="billing", queue="", priority="low", language="")
    seen = predicted_facts(
        base,
        labels={"queue": "tech", "category": "tech", "priority": "urgent"},
        confidence=0.4,
        language="de",
        fixed={"category", "priority"},
    )
    assert (seen["queue"], seen["category"], seen["priority"]) == ("tech", "billing", "low")
    assert seen["language"] == "de" and seen["confidence"] == 0.4
    assert base.get("confidence") is None  # the input is not changed
    given = predicted_facts(facts(language="en"), labels={}, confidence=None, language="de")
    assert given["language"] == "en" and given["confidence"] is None


def test_combined_outcome_later_phase_wins_and_tags_once():
    one = evaluate_rules([rule("A", "always", 1, set_queue="a", add_tags=("x",))], facts())
    two = evaluate_rules(
        [rule("B", "category = billing", 2, set_queue="b", add_tags=("x", "y"), stop=True)],
        {**facts(category="billing"), "tags": ["vip"]},
    )
    outcome = outcomes_combine(one, two)
    assert outcome.changes == {"queue": "b"} and outcome.set_by == {"queue": "B"}
    assert outcome.tags == ["x", "y"] and outcome.stopped_by == "B"
