"""Demo tickets, made and moved through their lifecycle by the real ticket services.

Each ticket is created at a moment in the last 30 days and walked forward on a seeding clock:
routing runs at intake, an agent corrects it where it guessed wrong, replies, asks the customer,
resolves and closes, so the history, the SLA figures and the reports come from real events."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from core.exceptions import ApplicationError
from journey import services
from tickets.models import Category, Channel, Queue, Status, Ticket
from tickets.services.attachments import incoming_bytes

from . import texts
from .clock import Clock, frozen_clock
from .screenshot import error_screenshot

DEMO_PREFIX = "demo-"
DAYS = 30


@dataclass
class Plan:
    number: int
    created_at: datetime
    queue: str
    category: str | None
    subcategory: str | None
    lang: str
    subject: str
    body: str
    channel: str
    context: dict
    customer: User
    target: str


def _fill(text: str, rng: random.Random, version: str, device: str) -> str:
    day = (timezone.now() - timedelta(days=rng.randint(2, 20))).strftime("%d.%m.")
    return text.format(
        order=f"#{rng.randint(100000, 999999)}",
        amount=f"{rng.choice([9, 19, 29, 49, 99, 249])}.00",
        invoice=f"INV-2026-{rng.randint(1000, 9999)}",
        version=version,
        device=device,
        day=day,
        tracking=f"1Z{rng.randint(10**9, 10**10 - 1)}",
        code=f"ERR-{rng.randint(1000, 9999)}",
    )


def _context(rng: random.Random, lang: str, version: str, device: str, queue: str) -> dict:
    platform = "ios" if device.startswith(("iPhone", "iPad")) else "android"
    # the checkout screen is where the demo's checkout-crash rule looks: only app tickets come
    # from it, or that rule would send billing questions to the mobile team
    screen = (
        "checkout"
        if queue == "mobile-app" and rng.random() < 0.4
        else rng.choice([name for name in texts.SCREENS if name != "checkout"])
    )
    events = rng.sample(texts.SESSION_EVENTS, rng.randint(3, 8))
    return {
        "user_id": f"u-{rng.randint(1000, 9999)}",
        "platform": platform,
        "app_version": version,
        "os_version": "17.4" if platform == "ios" else "14",
        "last_screen": screen,
        "session_events": events,
        "locale": "de_DE" if lang == "de" else "en_US",
        "previous_tickets_count": rng.randint(0, 6),
    }


def _target_status(rng: random.Random, age_days: float) -> str:
    if age_days > 10:
        return rng.choices([Status.CLOSED, Status.RESOLVED], [70, 30])[0]
    if age_days > 3:
        return rng.choices(
            [
                Status.RESOLVED,
                Status.CLOSED,
                Status.PENDING_CUSTOMER,
                Status.IN_PROGRESS,
                Status.ESCALATED,
                Status.ASSIGNED,
            ],
            [35, 25, 15, 10, 5, 10],
        )[0]
    return rng.choices(
        [
            Status.OPEN,
            Status.ASSIGNED,
            Status.IN_PROGRESS,
            Status.PENDING_CUSTOMER,
            Status.ESCALATED,
        ],
        [15, 30, 30, 15, 10],
    )[0]


def demo_ticket_plans(*, count: int, customers: list, seed: int = 42) -> list[Plan]:
    rng = random.Random(seed)
    now = timezone.now()
    queues = list(texts.TICKETS)
    categories = dict(
        Category.objects.filter(parent__isnull=False).values_list("slug", "parent__slug")
    )
    de_customers = [c for c in customers if c.email.endswith(".de")]
    en_customers = [c for c in customers if not c.email.endswith(".de")]
    plans = []
    for number in range(1, count + 1):
        created_at = now - timedelta(minutes=rng.randint(30, DAYS * 24 * 60 - 60))
        version = rng.choice(["2.7.4", "2.8.0", "2.9.1", "3.0.2", "3.1.0", "3.2.1", "3.3.0"])
        device = rng.choice(texts.DEVICES)
        if rng.random() < 0.07:
            lang, subject, body = rng.choice(texts.TRIAGE)
            queue, sub = "triage", None
        else:
            queue = rng.choice(queues)
            lang, sub, subject, body = rng.choice(texts.TICKETS[queue])
        channel = rng.choice(
            [
                Channel.IN_APP,
                Channel.IN_APP,
                Channel.EMAIL,
                Channel.WEB,
                Channel.API,
                Channel.WEBHOOK,
            ]
        )
        mobile = channel == Channel.IN_APP or queue == "mobile-app"
        if queue == "billing" and mobile and version < "3.0":  # the app says it is an old one
            queue = "legacy-billing"
        plans.append(
            Plan(
                number=number,
                created_at=created_at,
                queue=queue,
                category=categories.get(sub) if sub else None,
                subcategory=sub,
                lang=lang,
                subject=_fill(subject, rng, version, device),
                body=_fill(body, rng, version, device),
                channel=channel,
                context=_context(rng, lang, version, device, queue) if mobile else {},
                customer=rng.choice(de_customers if lang == "de" else en_customers),
                target=_target_status(rng, (now - created_at).total_seconds() / 86400),
            )
        )
    # Make sure every status is on show however the dice fell: the newest tickets take the missing.
    plans.sort(key=lambda p: p.created_at)
    present = {p.target for p in plans}
    for plan, missing in zip(
        reversed(plans), [s for s in Status.values if s not in present], strict=False
    ):
        plan.target = missing
    return plans


class _Walker:
    """Moves one ticket towards its target status, one service call at a time."""

    def __init__(self, clock: Clock, rng: random.Random, plan: Plan, agents: dict, manager) -> None:
        self.clock, self.rng, self.plan, self.manager = clock, rng, plan, manager
        self.agents = agents

    def _later(self, low: int, high: int) -> None:
        self.clock.advance(timedelta(minutes=self.rng.randint(low, high)))

    def _agent(self, ticket: Ticket) -> Agent:
        if ticket.assigned_agent:
            return ticket.assigned_agent
        pool = self.agents.get(self.plan.queue) or self.agents["*"]
        speakers = [a for a in pool if self.plan.lang in (a.languages or [])]
        return self.rng.choice(speakers or pool)

    def _refresh(self, ticket: Ticket) -> Ticket:
        return Ticket.objects.select_related("assigned_agent__user", "queue").get(pk=ticket.pk)

    def run(self) -> Ticket:
        p = self.plan
        ticket = services.ticket_submit(
            subject=p.subject,
            body=p.body,
            channel=p.channel,
            customer=p.customer,
            external_id=f"{DEMO_PREFIX}{p.number:04d}",
            context=p.context,
            language=p.lang,
            created_at=p.created_at,
        ).ticket
        ticket = self._refresh(ticket)
        self._correct(ticket)
        ticket = self._assign(self._refresh(ticket))
        if p.target == Status.ASSIGNED:
            return ticket
        if p.target == Status.ESCALATED:
            self._later(60, 600)
            return services.ticket_system_transition(
                ticket=ticket, status=Status.ESCALATED, reason="SLA at risk: escalated to level 2"
            )
        return self._work(ticket)

    def _correct(self, ticket: Ticket) -> None:
        p = self.plan
        queue = Queue.objects.get(slug=p.queue)
        category = Category.objects.filter(slug=p.category).first() if p.category else None
        if ticket.queue_id == queue.pk and (category is None or ticket.category_id == category.pk):
            return
        self._later(3, 45)
        services.ticket_correct(
            ticket=ticket,
            user=self.manager,
            queue=queue,
            category=category,
            reason="sorted by the triage team",
        )

    def _assign(self, ticket: Ticket) -> Ticket:
        if ticket.assigned_agent_id is None:
            self._later(5, 90)
            services.ticket_reassign(
                ticket=ticket,
                user=self.manager,
                agent=self._agent(ticket),
                reason="picked from the queue",
            )
        ticket = self._refresh(ticket)
        if ticket.status == Status.OPEN:
            ticket = services.ticket_system_transition(
                ticket=ticket, status=Status.ASSIGNED, reason="assigned"
            )
        return self._refresh(ticket)

    def _work(self, ticket: Ticket) -> Ticket:
        p, lang, rng = self.plan, self.plan.lang, self.rng
        agent = ticket.assigned_agent
        assert agent is not None  # _assign gave it one
        user = agent.user
        self._later(10, 240)
        services.ticket_change_status(ticket=ticket, user=user, status=Status.IN_PROGRESS)
        services.comment_add(ticket=ticket, user=user, body=rng.choice(texts.AGENT_REPLIES[lang]))
        if rng.random() < 0.3:
            self._later(5, 60)
            services.comment_add(
                ticket=ticket, user=user, body=rng.choice(texts.INTERNAL_NOTES), internal=True
            )
        if p.target == Status.IN_PROGRESS:
            return ticket
        self._later(10, 120)
        services.comment_add(ticket=ticket, user=user, body=texts.AGENT_ASKS[lang])
        services.ticket_change_status(ticket=ticket, user=user, status=Status.PENDING_CUSTOMER)
        if p.target == Status.PENDING_CUSTOMER:
            return ticket
        self._later(60, 1200)
        reply = rng.choice(texts.CUSTOMER_REPLIES[lang])
        sends_screenshot = reply == texts.CUSTOMER_REPLIES[lang][0]  # "Here you go, …"
        services.comment_add(
            ticket=ticket,
            user=p.customer,
            body=reply,
            files=[incoming_bytes(name="screenshot.png", data=error_screenshot())]
            if sends_screenshot
            else (),
        )
        self._later(30, 600)
        services.comment_add(ticket=ticket, user=user, body=texts.AGENT_RESOLUTIONS[lang])
        services.ticket_change_status(ticket=ticket, user=user, status=Status.RESOLVED)
        if p.target == Status.RESOLVED:
            return ticket
        if p.target == Status.OPEN:  # the customer says it is not fixed: the ticket reopens
            self._later(60, 24 * 60)
            services.comment_add(ticket=ticket, user=p.customer, body=texts.CUSTOMER_REOPENS[lang])
            return self._refresh(ticket)
        self._later(24 * 60, 3 * 24 * 60)
        return services.ticket_change_status(
            ticket=ticket, user=self.manager, status=Status.CLOSED, reason="no reply for a day"
        )


def demo_tickets_delete() -> int:
    return Ticket.objects.filter(external_id__startswith=DEMO_PREFIX).delete()[0]


def demo_tickets_seed(*, customers: list, manager, count: int = 220, stdout=None) -> dict:
    """Create `count` demo tickets; returns {status: count} of what was made."""
    plans = demo_ticket_plans(count=count, customers=customers)
    agents: dict[str, list[Agent]] = {"*": []}
    for agent in Agent.objects.select_related("user").prefetch_related("queues"):
        agents["*"].append(agent)
        for queue in agent.queues.all():
            agents.setdefault(queue.slug, []).append(agent)
    rng = random.Random(7)
    failures = 0
    for index, plan in enumerate(plans, start=1):
        with frozen_clock(plan.created_at) as clock:
            try:
                with transaction.atomic():
                    _Walker(clock, rng, plan, agents, manager).run()
            except ApplicationError as exc:
                failures += 1
                if stdout:
                    stdout.write(f"  ticket {plan.number}: stopped early ({exc})")
        if stdout and index % 50 == 0:
            stdout.write(f"  {index}/{len(plans)} tickets")
    return {"failures": failures, "count": len(plans)}
