"""The rule language: parsed once into a plain tree, evaluated as a pure function over a dict.

    app_version < 3.0 and category = billing
    (platform = ios or platform = android) and not subject contains [refund, chargeback]
    body matches /error\\s+5\\d\\d/ and previous_tickets_count >= 3
    session_events contains payment_failed or session_events count > 3
    category = billing and confidence >= 0.5

Two phases: a rule that reads none of the classifier's fields (`PREDICTED_FIELDS`) runs in phase
1, over the ticket's facts and context, before the classifier; one that reads any runs in phase 2,
over the facts plus the classifier's answer (`rule_phase`, `phases_split`, `outcomes_combine`).

No ORM here: `routing.services` loads the rows and writes the result; the admin form, dry-run and
backtest call the same `parse` / `evaluate_rules`."""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .facts import PREDICTED_FIELDS
from .rule_parser import (  # noqa: F401  (re-exported: the rule language's public names)
    FIELDS,
    PRIORITY_RANK,
    BoolOp,
    Cond,
    RuleSyntaxError,
    _Parser,
)
from .versions import parse_version


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    condition: Any
    id: int | None = None
    order: int = 0
    set_queue: str = ""
    set_category: str = ""
    set_priority: str = ""
    add_tags: tuple[str, ...] = ()
    require_skill: str = ""
    stop: bool = False
    phase: int = field(init=False, default=1)  # derived from the condition, once

    def __post_init__(self) -> None:
        object.__setattr__(self, "phase", rule_phase(self.condition))


@dataclass
class RulesOutcome:
    fired: list[dict] = field(default_factory=list)  # [{"id", "name"}] in firing order
    changes: dict[str, str] = field(default_factory=dict)  # queue/category/priority/required_skill
    set_by: dict[str, str] = field(default_factory=dict)  # field → name of the rule that set it
    tags: list[str] = field(default_factory=list)  # tags the rules added
    stopped_by: str = ""
    facts: dict = field(default_factory=dict)  # the facts after every action


@lru_cache(maxsize=2048)
def parse(text: str):
    """Parse condition text into a tree; raises RuleSyntaxError with a message for the admin.
    Cached by text, so an edited rule is re-parsed and an unchanged one never is."""
    if not text or not text.strip():
        raise RuleSyntaxError("no conditions: write 'always' to match every ticket")
    parser = _Parser(text)
    node = parser.expr()
    if not parser.at_end():
        parser.fail(f"unexpected '{parser.text[parser.pos : parser.pos + 20]}'")
    return node


def fields_used(node) -> set[str]:
    if isinstance(node, Cond):
        return {node.field}
    return set().union(*(fields_used(item) for item in node.items)) if node.items else set()


def rule_phase(node) -> int:
    """2 when the condition reads a field the classifier answers, else 1."""
    return 2 if fields_used(node) & PREDICTED_FIELDS.keys() else 1


# ---------------------------------------------------------------- evaluation


def matches(node, facts: dict) -> bool:
    if isinstance(node, Cond):
        return _cond(node, facts.get(node.field))
    if node.op == "and":
        return all(matches(item, facts) for item in node.items)
    if node.op == "or":
        return any(matches(item, facts) for item in node.items)
    if node.op == "not":
        return not matches(node.items[0], facts)
    return True  # always


def _cond(cond: Cond, fact) -> bool:
    op, value, kind = cond.op, cond.value, FIELDS[cond.field]
    if op.startswith("count_"):  # a missing list has no items
        return _compare(op[6:], len(fact) if isinstance(fact, list | tuple) else 0, value)
    if fact is None or fact == "" or fact == [] or fact == ():
        return op in ("ne", "not_in")
    if kind == "list" and not isinstance(fact, list | tuple):
        fact = [fact]  # one value where a list belongs (facts from outside are plain JSON)
    if op == "matches":
        if kind == "list":
            return any(value.search(str(item)) for item in fact)
        return value.search(str(fact)) is not None
    if kind == "list":
        items = {str(item).casefold() for item in fact}
        if op == "eq":
            return value.casefold() in items
        if op == "ne":
            return value.casefold() not in items
        hit = bool(items & value)
        return not hit if op == "not_in" else hit
    if op == "contains":
        return value.search(str(fact)) is not None
    fact = _normalise_fact(kind, fact)
    if fact is None:
        return op in ("ne", "not_in")
    return _compare(op, fact, value)


def _compare(op: str, fact, value) -> bool:
    if op == "eq":
        return fact == value
    if op == "ne":
        return fact != value
    if op == "in":
        return fact in value
    if op == "not_in":
        return fact not in value
    if op == "lt":
        return fact < value
    if op == "le":
        return fact <= value
    if op == "gt":
        return fact > value
    return fact >= value


def _normalise_fact(kind: str, fact):
    if kind == "version":
        return parse_version(fact)
    if kind == "int":
        try:
            return int(fact)
        except (TypeError, ValueError):
            return None
    if kind == "number":
        try:
            return float(fact)
        except (TypeError, ValueError):
            return None
    if kind == "priority":
        return PRIORITY_RANK.get(str(fact).lower())
    return str(fact).casefold()


def evaluate_rules(rules: list[Rule], facts: dict) -> RulesOutcome:
    """Run the rules in `order` (then id); each sees the facts as earlier rules left them."""
    state = dict(facts)
    tags = facts.get("tags") or []
    state["tags"] = list(tags) if isinstance(tags, list | tuple) else [tags]
    outcome = RulesOutcome()
    for rule in sorted(rules, key=lambda r: (r.order, r.id or 0)):
        if not matches(rule.condition, state):
            continue
        outcome.fired.append({"id": rule.id, "name": rule.name})
        for fact_name, value in (
            ("queue", rule.set_queue),
            ("category", rule.set_category),
            ("priority", rule.set_priority),
            ("required_skill", rule.require_skill),
        ):
            if value:
                state[fact_name] = value
                outcome.changes[fact_name] = value
                outcome.set_by[fact_name] = rule.name
        for tag in rule.add_tags:
            if tag not in state["tags"]:
                state["tags"].append(tag)
                outcome.tags.append(tag)
        if rule.stop:
            outcome.stopped_by = rule.name
            break
    outcome.facts = state
    return outcome


def phases_split(rules: list[Rule]) -> tuple[list[Rule], list[Rule]]:
    """(phase-1 rules, phase-2 rules), each in evaluation order."""
    ordered = sorted(rules, key=lambda r: (r.order, r.id or 0))
    return [r for r in ordered if r.phase == 1], [r for r in ordered if r.phase == 2]


def outcomes_combine(first: RulesOutcome, then: RulesOutcome | None) -> RulesOutcome:
    """Phase 1's outcome followed by phase 2's (None: phase 2 did not run): the later rule wins a
    field, every rule that fired is kept in order."""
    if then is None:
        return first
    return RulesOutcome(
        fired=[*first.fired, *then.fired],
        changes={**first.changes, **then.changes},
        set_by={**first.set_by, **then.set_by},
        tags=[*first.tags, *(tag for tag in then.tags if tag not in first.tags)],
        stopped_by=then.stopped_by or first.stopped_by,
        facts=then.facts,
    )
