"""The routing decision for a ticket, in order: phase-1 rules (the ticket's facts and context), the
classifier, phase-2 rules (those that read what the classifier answers), urgency phrases. Written
once, with its explanation, a `routed` event, a ClassificationLog row and a live `ticket.routed`
event."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, Q

from live import realtime
from live.types import EventType
from tickets import events
from tickets.models import Category, Queue, Ticket
from tickets.selectors import customer_account_facts

from . import policy, selectors
from .classifier import Prediction
from .facts import ACCOUNT_FIELDS, PREDICTED_FIELDS, predicted_facts, ticket_facts
from .models import ClassificationLog
from .rules import RulesOutcome, evaluate_rules, outcomes_combine

# the local model's call: (text, context) -> a prediction, or None without a trained model
Predictor = Callable[[str, dict], Prediction | None]


@dataclass
class _Decision:
    queue: Queue | None = None
    category: Category | None = None
    subcategory: Category | None = None
    priority: str = ""
    confidence: float | None = None
    triaged: bool = False
    reasons: list[str] = field(default_factory=list)


def _context(ticket: Ticket) -> dict:
    return ticket.context if isinstance(ticket.context, dict) else {}


def triage_queue_get() -> Queue:
    queue = Queue.objects.filter(is_triage=True, is_active=True).order_by("pk").first()
    if queue is None:
        queue, _ = Queue.objects.get_or_create(
            slug="triage",
            defaults={
                "name": "Triage",
                "is_triage": True,
                "description": "Tickets routing could not place with confidence.",
            },
        )
    return queue


def ticket_route(
    *,
    ticket: Ticket,
    predictor: Predictor | None = None,
    llm: Any = None,
    explicit_priority: bool = False,
) -> ClassificationLog:
    """Route a new ticket. `predictor(text, context) -> Prediction | None` and `llm` (with
    `is_configured()`, `classify(...)`, `LLMUnavailable`) default to routing.classifier's."""
    started = time.perf_counter()
    was = (ticket.queue_id, None)  # a re-route leaves that queue's lists
    predictor = policy.default_predictor() if predictor is None else predictor
    llm = policy.default_llm() if llm is None else llm
    compiled = selectors.rules_compiled()
    # the customer's account: one read, only when an enabled rule asks for it
    uses_account = bool(compiled.fields & ACCOUNT_FIELDS.keys())
    account = customer_account_facts(email=ticket.customer_email) if uses_account else None
    facts = ticket_facts(
        subject=ticket.subject,
        body=ticket.body,
        channel=ticket.channel,
        category=ticket.category.slug if ticket.category else "",
        priority=ticket.priority,
        queue=ticket.queue.slug if ticket.queue else "",
        language=ticket.language,
        customer_email=ticket.customer_email,
        tags=ticket.tags,
        context=ticket.context,
        account=account,
    )
    if "previous_tickets_count" in compiled.fields and facts["previous_tickets_count"] is None:
        facts["previous_tickets_count"] = selectors.previous_tickets_count(ticket=ticket)
    first = evaluate_rules(compiled.phase1, facts)
    urgent = selectors.urgency_matches(
        phrases=selectors.urgency_phrases(), subject=ticket.subject, body=ticket.body
    )
    prediction, source, notes = _predict(
        ticket, facts, first, compiled, urgent, explicit_priority, predictor, llm
    )
    second, second_facts = None, None
    if compiled.phase2 and not first.stopped_by:
        second_facts = predicted_facts(
            first.facts,
            labels=prediction.labels if prediction else {},
            confidence=policy.prediction_confidence(prediction),
            language=prediction.language if prediction else "",
            fixed=_fields_fixed(first, facts, explicit_priority),
        )
        second = evaluate_rules(compiled.phase2, second_facts)
    outcome = outcomes_combine(first, second)
    rule_queue = outcome.changes.get("queue", "")
    rule_category = outcome.changes.get("category", "")
    decision = _decide(ticket, outcome, rule_queue, rule_category, prediction, predictor)
    if outcome.fired:
        names = ", ".join(f"'{rule['name']}'" for rule in outcome.fired)
        decision.reasons.insert(0, f"rule{'s' if len(outcome.fired) > 1 else ''} {names} matched")
    decision.reasons += notes
    before_priority = ticket.priority
    if explicit_priority:
        decision.priority = ticket.priority
    if urgent:
        decision.priority = "urgent"
        decision.reasons.append(f"urgent: phrase '{urgent[0]}'")
    latency_ms = (time.perf_counter() - started) * 1000
    _write(ticket, decision, outcome, compiled, prediction)
    if urgent and before_priority != "urgent":
        events.ticket_urgency_override_event(ticket=ticket, before=before_priority, phrases=urgent)
    if second_facts is not None:  # what phase 2 saw, to explain a rule that did not fire
        facts = {**facts, "phase2": {k: second_facts.get(k) for k in PREDICTED_FIELDS}}
    log = _log(
        ticket, decision, outcome, compiled, prediction, source, urgent, latency_ms, facts, notes
    )
    realtime.publish(EventType.ROUTED, ticket, routed_payload(ticket), was=was)
    return log


def routed_payload(ticket: Ticket) -> dict[str, Any]:
    """What `ticket.routed` says of a ticket's routing (also after a correction)."""
    return {
        "queue": ticket.queue.slug if ticket.queue else None,
        "category": ticket.category.slug if ticket.category else None,
        "priority": ticket.priority,
        "confidence": ticket.confidence,
    }


def _predict(
    ticket: Ticket,
    facts: dict,
    first: RulesOutcome,
    compiled: selectors.CompiledRules,
    urgent: list[str],
    explicit_priority: bool,
    predictor: Predictor | None,
    llm: Any,
) -> tuple[Prediction | None, str, list[str]]:
    """Ask the classifier when phase 1 left part of the decision open, or when phase-2 rules read
    a field it answers; only the language open is never worth a Claude call."""
    fixed = _fields_fixed(first, facts, explicit_priority)
    priority_open = not explicit_priority and not urgent and "priority" not in first.changes
    decision_open = "queue" not in fixed or "category" not in fixed or priority_open
    rules_need_model = (
        bool(compiled.phase2)
        and not first.stopped_by
        and bool(compiled.phase2_fields - fixed - {"language"})
    )
    if decision_open or rules_need_model:
        context = _context(ticket)
        if llm is not None and llm.is_configured():  # Claude is told the customer's account
            account = customer_account_facts(email=ticket.customer_email)
            context = {**context, "account": account} if account else context
        return policy.predict(
            text=facts["text"],
            context=context,
            language=ticket.language,
            predictor=predictor,
            llm=llm,
        )
    if not ticket.language:
        return policy.predict(
            text=facts["text"], context=_context(ticket), language="", predictor=predictor, llm=None
        )
    return None, "", []


def _fields_fixed(first: RulesOutcome, facts: dict, explicit_priority: bool) -> set[str]:
    """Predicted fields the classifier's answer does not change: set by a phase-1 rule, an explicit
    priority, a language already known."""
    fixed: set[str] = {name for name in ("queue", "category", "priority") if name in first.changes}
    if explicit_priority:
        fixed.add("priority")
    if facts.get("language"):
        fixed.add("language")
    return fixed


def _decide(
    ticket: Ticket,
    outcome: RulesOutcome,
    rule_queue: str,
    rule_category: str,
    prediction: Prediction | None,
    predictor: Predictor | None,
) -> _Decision:
    labels = prediction.labels if prediction else {}
    confidences = prediction.confidences if prediction else {}
    default_slug = getattr(settings, "HELPDESK_DEFAULT_QUEUE", "") or ""
    wanted = {slug for slug in (rule_queue, labels.get("queue"), default_slug) if slug}
    d = _Decision()
    queues = {
        q.slug: q
        for q in Queue.objects.filter(
            Q(slug__in=wanted) | Q(is_triage=True), is_active=True
        ).annotate(has_subs=Exists(selectors.queue_subcategories("pk")))
    }
    rules_decide = rule_queue in queues
    if rules_decide:
        d.queue, d.confidence = queues[rule_queue], 1.0
    elif prediction is not None and labels.get("queue") in queues:
        d.queue, d.confidence = queues[labels["queue"]], confidences.get("queue")
        d.reasons.append(policy.model_phrase(prediction, "queue"))
    elif prediction is not None and "category" in labels:
        d.confidence = confidences.get("category")
    threshold = d.queue.confidence_threshold if d.queue else policy.DEFAULT_THRESHOLD
    if not rules_decide and d.confidence is not None and d.confidence < threshold:
        d.triaged = True
        d.queue = next((q for q in queues.values() if q.is_triage), None) or triage_queue_get()
        d.reasons.append(f"low confidence {d.confidence:.2f} < {threshold:.2f}: sent to triage")
    if d.queue is None:
        d.queue = (
            queues.get(default_slug)
            or next((q for q in queues.values() if q.is_triage), None)
            or triage_queue_get()
        )
        what = "no rule set the queue" if outcome.fired else "no rule matched"
        model = (
            (policy.model_problem() or "no model trained")
            if prediction is None
            else "the model named no known queue"
        )
        d.reasons.append(f"{what} and {model}: default queue '{d.queue.name}'")
    _decide_categories(ticket, d, rule_category, prediction, predictor, threshold)
    priority = outcome.changes.get("priority", "")
    if not priority and labels.get("priority") and confidences.get("priority", 0) >= threshold:
        priority = labels["priority"]
    d.priority = priority or (d.queue.default_priority if d.queue else "") or ticket.priority
    return d


def _decide_categories(
    ticket: Ticket,
    d: _Decision,
    rule_category: str,
    prediction: Prediction | None,
    predictor: Predictor | None,
    threshold: float,
) -> None:
    queue = d.queue
    assert queue is not None  # the queue is decided before the categories
    labels = prediction.labels if prediction else {}
    confidences = prediction.confidences if prediction else {}
    wanted = {rule_category, labels.get("category"), labels.get("subcategory")} - {None, ""}
    has_subs = getattr(queue, "has_subs", True)  # annotated when loaded; unknown: look
    by_slug = {}
    if wanted or has_subs:
        found = Category.objects.filter(Q(slug__in=wanted) | Q(queue=queue, parent__isnull=False))
        by_slug = {c.slug: c for c in found.select_related("parent")}
    subs = [c for c in by_slug.values() if c.queue_id == queue.pk and c.parent_id]
    if rule_category in by_slug:
        d.category = by_slug[rule_category]
    elif prediction is not None and not d.triaged and labels.get("category") in by_slug:
        if confidences.get("category", 0) >= threshold:
            d.category = by_slug[labels["category"]]
            if "queue" not in labels or queue.slug != labels.get("queue"):
                d.reasons.append(policy.model_phrase(prediction, "category"))
    if d.category is not None and d.category.parent_id:
        d.subcategory, d.category = d.category, d.category.parent
    elif subs and not d.triaged:
        sub, sub_confidence = (
            by_slug.get(labels.get("subcategory", "")),
            confidences.get("subcategory"),
        )
        if sub not in subs and predictor is not None:
            sub, sub_confidence = _subcategory_predict(ticket, queue, subs, predictor)
        if sub in subs and (sub_confidence or 0) >= threshold:
            d.subcategory = sub
            d.reasons.append(f"sub-category: {sub.slug} (model)")
        else:
            d.subcategory = policy.subcategory_by_keyword(
                text=f"{ticket.subject}\n{ticket.body}", subcategories=subs
            )
            if d.subcategory is not None:
                d.reasons.append(f"sub-category: {d.subcategory.slug} (keyword)")
    if d.subcategory is not None and d.category is None:
        d.category = d.subcategory.parent


def _subcategory_predict(
    ticket: Ticket, queue: Queue, subs: list[Category], predictor: Predictor
) -> tuple:
    """Ask the local model again now the queue is known (it picks among that queue's
    sub-categories); a crash or no model is simply no answer."""
    try:
        again = predictor(
            f"{ticket.subject}\n{ticket.body}", {**_context(ticket), "queue": queue.slug}
        )
    except Exception:
        return None, None
    if again is None:
        return None, None
    label = again.labels.get("subcategory", "")
    return next((s for s in subs if s.slug == label), None), again.confidences.get("subcategory")


def _write(
    ticket: Ticket,
    d: _Decision,
    outcome: RulesOutcome,
    compiled: selectors.CompiledRules,
    prediction: Prediction | None,
) -> None:
    ticket.queue = d.queue
    ticket.category = d.category
    ticket.subcategory = d.subcategory
    ticket.priority = d.priority
    ticket.confidence = d.confidence
    ticket.routing_reason = "; ".join(d.reasons)[:2000]
    ticket.tags = list(dict.fromkeys([*(ticket.tags or []), *outcome.tags]))
    skill_id = compiled.skills.get(outcome.changes.get("required_skill", ""))
    if skill_id is not None:
        ticket.required_skill_id = skill_id
    if not ticket.language and prediction is not None and prediction.language:
        ticket.language = prediction.language[:10]
    ticket.save(
        update_fields=[
            "queue",
            "category",
            "subcategory",
            "priority",
            "confidence",
            "routing_reason",
            "tags",
            "required_skill",
            "language",
            "updated_at",
        ]
    )
    events.ticket_routed_event(
        ticket=ticket,
        reason=ticket.routing_reason,
        data={
            "queue": d.queue.slug if d.queue else None,
            "category": d.category.slug if d.category else None,
            "subcategory": d.subcategory.slug if d.subcategory else None,
            "priority": d.priority,
            "confidence": d.confidence,
            "triaged": d.triaged,
            "rules": [rule["name"] for rule in outcome.fired],
        },
    )


def _log(
    ticket: Ticket,
    d: _Decision,
    outcome: RulesOutcome,
    compiled: selectors.CompiledRules,
    prediction: Prediction | None,
    source: str,
    urgent: list[str],
    latency_ms: float,
    facts: dict,
    notes: list[str],
) -> ClassificationLog:
    if outcome.changes.get("queue") and not d.triaged and d.confidence == 1.0:
        source = "rules"
    elif not source:
        source = "rules" if outcome.fired else "default"
    return ClassificationLog.objects.create(
        ticket=ticket,
        source=source,
        input_snapshot={
            "subject": ticket.subject,
            "body": ticket.body[:4000],
            "channel": ticket.channel,
            "context": _context(ticket),
            "language": facts["language"],
            "email_domain": facts["email_domain"],
            "urgency_phrases": urgent,
            "rule_errors": compiled.errors,
            **({"phase2_facts": facts["phase2"]} if "phase2" in facts else {}),
        },
        rules_fired=outcome.fired,
        model_name=prediction.model_name if prediction else "",
        model_version=str(prediction.model_version) if prediction else "",
        queue=d.queue.slug if d.queue else "",
        category=d.category.slug if d.category else "",
        priority=d.priority,
        confidence=d.confidence,
        probabilities=prediction.probabilities if prediction else {},
        triaged=d.triaged,
        reason=ticket.routing_reason,
        error="; ".join(notes),
        latency_ms=round(latency_ms, 3),
        input_tokens=prediction.input_tokens if prediction else 0,
        output_tokens=prediction.output_tokens if prediction else 0,
        cost_usd=round(prediction.cost_usd, 6) if prediction else 0,
    )
