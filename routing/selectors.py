"""Reads for routing: compiled rules, urgency phrases, training labels, backtests and accuracy."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from core.memo import memoized
from tickets.models import Category, Status, Ticket, TicketEvent

from .facts import PREDICTED_FIELDS, predicted_facts, ticket_facts
from .models import ClassificationLog, RoutingRule, UrgencyPhrase
from .rules import (
    Rule,
    RuleSyntaxError,
    evaluate_rules,
    fields_used,
    matches,
    outcomes_combine,
    parse,
)

HISTORY_STATUSES = (Status.RESOLVED, Status.CLOSED)


@dataclass
class CompiledRules:
    rules: list[Rule] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # rules that no longer parse: skipped
    skills: dict = field(default_factory=dict)  # slug → id of the skills rules require
    fields: set = field(default_factory=set)  # facts the rules read
    phase1: list[Rule] = field(default_factory=list)  # before the classifier
    phase2: list[Rule] = field(default_factory=list)  # after it: they read predicted fields
    phase2_fields: set = field(default_factory=set)  # predicted fields phase 2 reads


def queue_subcategories(queue_ref: str) -> QuerySet:
    """For `Exists(...)`: the sub-categories of the queue at `queue_ref` (an OuterRef name)."""
    return Category.objects.filter(queue=OuterRef(queue_ref), parent__isnull=False)


def _tags(raw: Any) -> tuple[str, ...]:
    return tuple(str(tag) for tag in (raw or []) if str(tag).strip())


def rule_from_row(row: RoutingRule) -> Rule:
    """A model instance (saved or not) → Rule. Raises RuleSyntaxError."""
    return Rule(
        name=row.name,
        condition=parse(row.conditions),
        id=row.pk,
        order=row.order,
        set_queue=row.set_queue.slug if row.set_queue else "",
        set_category=row.set_category.slug if row.set_category else "",
        set_priority=row.set_priority or "",
        add_tags=_tags(row.add_tags),
        require_skill=row.require_skill.slug if row.require_skill else "",
        stop=row.stop,
    )


_RULE_COLUMNS = (
    "id",
    "name",
    "order",
    "conditions",
    "updated_at",
    "set_queue__slug",
    "set_category__slug",
    "set_priority",
    "add_tags",
    "require_skill_id",
    "require_skill__slug",
    "stop",
)
_compiled_cache: dict[tuple, Rule] = {}


def _rule_from_values(row: dict) -> Rule:
    """Compiled once per (id, updated_at) and every column it uses, so a bulk `update()` that
    leaves updated_at alone (order, stop, ...) still recompiles; parsing is cached by text."""
    key = tuple(json.dumps(v) if isinstance(v, list | dict) else v for v in row.values())
    rule = _compiled_cache.get(key)
    if rule is None:
        rule = Rule(
            name=row["name"],
            condition=parse(row["conditions"]),
            id=row["id"],
            order=row["order"],
            set_queue=row["set_queue__slug"] or "",
            set_category=row["set_category__slug"] or "",
            set_priority=row["set_priority"] or "",
            add_tags=_tags(row["add_tags"]),
            require_skill=row["require_skill__slug"] or "",
            stop=row["stop"],
        )
        if len(_compiled_cache) > 5000:
            _compiled_cache.clear()
        _compiled_cache[key] = rule
    return rule


def rules_compiled(*, include_disabled: bool = False) -> CompiledRules:
    """Every enabled rule in order, in one query of plain values (no model instances); read once
    per batch inside `core.memo.config_memo` (callers must not change the result)."""
    return memoized(("rules", include_disabled), lambda: _rules_read(include_disabled))


def _rules_read(include_disabled: bool) -> CompiledRules:
    rows = (
        RoutingRule.objects.all() if include_disabled else RoutingRule.objects.filter(enabled=True)
    )
    compiled = CompiledRules()
    for row in rows.order_by("order", "id").values(*_RULE_COLUMNS):
        try:
            rule = _rule_from_values(row)
        except RuleSyntaxError as exc:
            compiled.errors.append({"id": row["id"], "name": row["name"], "error": str(exc)})
            continue
        compiled.rules.append(rule)
        used = fields_used(rule.condition)
        compiled.fields |= used
        if rule.phase == 2:
            compiled.phase2.append(rule)
            compiled.phase2_fields |= used & PREDICTED_FIELDS.keys()
        else:
            compiled.phase1.append(rule)
        if row["require_skill_id"]:
            compiled.skills[row["require_skill__slug"]] = row["require_skill_id"]
    return compiled


def urgency_phrases() -> list[str]:
    return list(
        memoized(
            ("urgency_phrases",),
            lambda: tuple(
                UrgencyPhrase.objects.filter(enabled=True).values_list("phrase", flat=True)
            ),
        )
    )


def urgency_matches(*, phrases: list[str], subject: str, body: str) -> list[str]:
    """Enabled phrases found (case-insensitive, whole words at the edges) in subject or body."""
    text = f"{subject}\n{body}"
    return [
        phrase
        for phrase in phrases
        if phrase.strip()
        and re.search(rf"(?<!\w){re.escape(phrase.strip())}(?!\w)", text, re.IGNORECASE)
    ]


def previous_tickets_count(*, ticket: Ticket) -> int:
    if not ticket.customer_email:
        return 0
    return Ticket.objects.filter(
        customer_email=ticket.customer_email, created_at__lt=ticket.created_at
    ).count()


def _previous_count_subquery() -> Coalesce:
    earlier = (
        Ticket.objects.filter(
            customer_email=OuterRef("customer_email"), created_at__lt=OuterRef("created_at")
        )
        .exclude(customer_email="")
        .order_by()
        .values("customer_email")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(earlier, output_field=IntegerField()), Value(0))


def _row_facts(row: dict) -> dict:
    return ticket_facts(
        subject=row["subject"],
        body=row["body"],
        channel=row["channel"],
        category=row["category__slug"] or "",
        priority=row["priority"],
        queue=row["queue__slug"] or "",
        language=row["language"],
        customer_email=row["customer_email"],
        tags=row["tags"],
        context=row["context"],
        previous_tickets_count=row.get("previous_count"),
    )


def rule_backtest(*, rule: RoutingRule, limit: int = 500) -> dict:
    """Run one rule (saved or not, enabled or not) over the last `limit` stored tickets: how many
    it matches, and how many of those actually ended in the rule's queue / category. Facts are the
    tickets' current (final) values; for a phase-2 rule they stand in for the classifier's answer,
    with the stored confidence. `stopped_first`: matched tickets on which an enabled phase-1 rule
    that runs before this one stops, so this rule would never have been tried."""
    compiled = rule_from_row(rule)
    used = fields_used(compiled.condition)
    earlier = [
        r
        for r in rules_compiled().phase1
        if r.id != rule.pk
        and (compiled.phase == 2 or (r.order, r.id or 0) < (rule.order, rule.pk or 0))
    ]
    earlier_used = set().union(*(fields_used(r.condition) for r in earlier)) if earlier else set()
    rows = Ticket.objects.order_by("-created_at")
    counted = "previous_tickets_count" in used | earlier_used
    if counted:
        rows = rows.annotate(previous_count=_previous_count_subquery())
    columns = [
        "pk",
        "subject",
        "body",
        "channel",
        "category__slug",
        "priority",
        "queue__slug",
        "language",
        "customer_email",
        "tags",
        "context",
        "confidence",
    ]
    if counted:
        columns.append("previous_count")
    total = matched = same_queue = same_category = stopped_first = 0
    samples: list[dict] = []
    for row in rows.values(*columns)[: max(1, min(limit, 20_000))]:
        total += 1
        facts = _row_facts(row)
        if compiled.phase == 2:
            facts["confidence"] = row["confidence"]
        if not matches(compiled.condition, facts):
            continue
        matched += 1
        stopped_first += bool(earlier) and bool(evaluate_rules(earlier, facts).stopped_by)
        same_queue += bool(compiled.set_queue) and row["queue__slug"] == compiled.set_queue
        same_category += (
            bool(compiled.set_category) and row["category__slug"] == compiled.set_category
        )
        if len(samples) < 20:
            samples.append(
                {
                    "id": row["pk"],
                    "subject": row["subject"],
                    "queue": row["queue__slug"],
                    "category": row["category__slug"],
                }
            )
    return {
        "phase": compiled.phase,
        "predicted_fields": sorted(used & PREDICTED_FIELDS.keys()),
        "tickets": total,
        "matched": matched,
        "stopped_first": stopped_first,
        "set_queue": compiled.set_queue,
        "same_queue": same_queue if compiled.set_queue else None,
        "set_category": compiled.set_category,
        "same_category": same_category if compiled.set_category else None,
        "samples": samples,
    }


def rules_dry_run(
    *, facts: dict, predicted: dict | None = None, include_disabled: bool = False
) -> dict:
    """Which rules fire on a sample ticket, phase by phase, and what they decide; nothing is
    stored and the classifier is not asked: `predicted` is its answer as the admin supposes it
    ({"category": "billing", "confidence": 0.8, ...}), what phase-2 rules see."""
    compiled = rules_compiled(include_disabled=include_disabled)
    predicted = predicted or {}
    first = evaluate_rules(compiled.phase1, facts)
    second, seen = None, None
    if compiled.phase2 and not first.stopped_by:
        seen = predicted_facts(
            first.facts,
            labels={
                k: str(predicted[k]) for k in ("queue", "category", "priority") if predicted.get(k)
            },
            confidence=predicted.get("confidence"),
            language=str(predicted.get("language") or ""),
            fixed={name for name in ("queue", "category", "priority") if name in first.changes},
        )
        second = evaluate_rules(compiled.phase2, seen)
    outcome = outcomes_combine(first, second)
    urgent = urgency_matches(
        phrases=urgency_phrases(), subject=facts.get("subject", ""), body=facts.get("body", "")
    )
    decided = {**first.facts, **outcome.changes}  # what the rules leave; the model fills the rest
    result = {k: decided.get(k) for k in ("queue", "category", "priority")}
    result["tags"] = outcome.facts.get("tags")
    result["required_skill"] = decided.get("required_skill", "")
    if urgent:
        result["priority"] = "urgent"
    skipped = ""
    if second is None:
        skipped = f"phase 1 stopped at '{first.stopped_by}'" if first.stopped_by else "no rules"
    return {
        "fired": outcome.fired,
        "stopped_by": outcome.stopped_by,
        "changes": outcome.changes,
        "result": result,
        "urgency": urgent,
        "errors": compiled.errors,
        "phases": [
            {
                "phase": 1,
                "rules": len(compiled.phase1),
                "fired": first.fired,
                "stopped_by": first.stopped_by,
                "changes": first.changes,
            },
            {
                "phase": 2,
                "rules": len(compiled.phase2),
                "fired": second.fired if second else [],
                "stopped_by": second.stopped_by if second else "",
                "changes": second.changes if second else {},
                "seen": {k: seen[k] for k in PREDICTED_FIELDS} if seen else None,
                "skipped": skipped,
            },
        ],
    }


def training_rows(*, with_subcategory: bool = False, limit: int | None = None) -> QuerySet:
    """Final labels for training, after corrections and reassignments, in one query: tuples of
    (text, queue slug, category slug, priority, language[, subcategory slug]), oldest first.
    Only tickets whose labels a person stands behind: resolved or closed ones, and any ticket an
    agent corrected or moved to another queue (open ones still carry the model's own guess).
    A ticket in the triage queue has no queue label (None)."""
    columns = ["train_text", "train_queue", "category__slug", "priority", "language"]
    if with_subcategory:
        columns.append("subcategory__slug")
    human_labelled = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), kind__in=("corrected", "reassigned"), field__in=("queue", "category")
    )
    rows = (
        Ticket.objects.filter(Q(status__in=HISTORY_STATUSES) | Exists(human_labelled))
        .annotate(
            train_text=Concat("subject", Value("\n"), "body", output_field=TextField()),
            train_queue=Case(
                When(queue__is_triage=True, then=Value(None)),
                default=F("queue__slug"),
                output_field=CharField(),
            ),
        )
        .order_by("created_at", "pk")
        .values_list(*columns)
    )
    return rows[:limit] if limit else rows


def _first_logs() -> QuerySet:
    first = ClassificationLog.objects.filter(ticket=OuterRef("ticket")).order_by("created_at", "pk")
    return ClassificationLog.objects.filter(
        ticket__isnull=False, pk=Subquery(first.values("pk")[:1])
    )


def accuracy_report() -> dict:
    """How often the first routing decision stood: the ticket's current queue / category still
    equal what the first ClassificationLog chose (not corrected, not reassigned). Per model version
    and per first-decided queue, aggregated in SQL."""
    queue_ok = Q(queue=F("ticket__queue__slug")) | Q(queue="", ticket__queue__isnull=True)
    category_ok = Q(category=F("ticket__category__slug")) | Q(
        category="", ticket__category__isnull=True
    )
    measures = {
        "tickets": Count("pk"),
        "queue_stood": Count("pk", filter=queue_ok),
        "category_stood": Count("pk", filter=category_ok),
        "both_stood": Count("pk", filter=queue_ok & category_ok),
        "triaged": Count("pk", filter=Q(triaged=True)),
    }
    logs = _first_logs()
    by_model = logs.values("source", "model_name", "model_version").annotate(**measures)
    by_queue = logs.values("queue").annotate(**measures)
    overall = logs.aggregate(**measures)
    return {
        "overall": _with_rates(overall),
        "by_model": [
            _with_rates(row) for row in by_model.order_by("source", "model_name", "model_version")
        ],
        "by_queue": [_with_rates(row) for row in by_queue.order_by("queue")],
    }


def _with_rates(row: dict) -> dict:
    total = row["tickets"] or 0
    for name in ("queue", "category", "both"):
        row[f"{name}_accuracy"] = round(row[f"{name}_stood"] / total, 4) if total else None
    return row
