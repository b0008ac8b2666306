"""seed_demo on PostgreSQL: the demo a new user sees is big, varied and consistent."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from agents.models import Agent
from core.tokens import token_user
from demo import ai
from routing.models import RoutingRule
from sla.models import BusinessCalendar, SLAPolicy
from tickets.models import Comment, Priority, Queue, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-train", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_realistic_help_desk_once():
    output = seed()

    queues = Queue.objects.all()
    assert queues.count() >= 6
    assert all(q.description for q in queues)
    assert queues.filter(is_triage=True).exists()

    agents = Agent.objects.all()
    assert agents.count() >= 10
    languages = {lang for a in agents for lang in a.languages}
    assert {"en", "de"} <= languages
    assert agents.values("timezone").distinct().count() >= 2

    assert set(SLAPolicy.objects.values_list("priority", flat=True)) == set(Priority.values)
    assert BusinessCalendar.objects.filter(holidays__isnull=False).exists()
    assert RoutingRule.objects.filter(conditions__contains="app_version < 3.0").exists()

    tickets = Ticket.objects.all()
    assert tickets.count() >= 200
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    span = tickets.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] - span["first"] > timedelta(days=25)
    assert set(tickets.values_list("language", flat=True)) >= {"en", "de"}
    assert tickets.exclude(context={}).filter(context__has_key="app_version").exists()
    # Every queue but triage gets real work; closed tickets have a real history.
    per_queue = dict(tickets.values_list("queue__slug").annotate(n=Count("id")))
    assert all(per_queue.get(q.slug, 0) > 0 for q in queues)
    closed = tickets.filter(status=Status.CLOSED).first()
    kinds = set(closed.events.values_list("kind", flat=True))
    assert {"created", "status_changed", "comment"} <= kinds
    assert closed.first_response_at and closed.first_response_at > closed.created_at
    assert closed.closed_at > closed.resolved_at > closed.created_at
    assert Comment.objects.filter(internal=True).exists()

    # The logins it prints work as API tokens.
    for username in ("admin", "manager@example.com", "customer@example.com"):
        assert username in output
        line = next(line for line in output.splitlines() if username in line)
        key = next(word for word in line.split() if len(word) == 40)
        assert token_user(key).username == username

    # Running it again adds nothing; --force recreates the tickets.
    counts = (Ticket.objects.count(), Agent.objects.count(), Queue.objects.count())
    again = seed()
    assert "already exist" in again
    assert (Ticket.objects.count(), Agent.objects.count(), Queue.objects.count()) == counts
    events_before = TicketEvent.objects.count()
    seed("--force", "--tickets", "30")
    # 30 tickets of history, and the self-service queue's own (demo/ai.py)
    assert Ticket.objects.exclude(external_id__startswith="demo-ai-").count() == 30
    assert Ticket.objects.filter(external_id__startswith="demo-ai-").count() == len(ai.TICKETS)
    assert TicketEvent.objects.count() < events_before


def test_a_failing_classifier_training_is_reported_not_fatal(monkeypatch):
    from django.core.management import CommandError

    from demo import seed as seed_module

    def broken(name, *args, **kwargs):
        raise CommandError(f"Unknown command: '{name}'")

    monkeypatch.setattr(seed_module, "call_command", broken)
    out = StringIO()
    call_command("seed_demo", "--tickets", "5", stdout=out)
    assert (
        "Classifier not trained: CommandError: Unknown command: 'train_classifier'"
        in out.getvalue()
    )
    assert Ticket.objects.exclude(external_id__startswith="demo-ai-").count() == 5
    assert "customer@example.com" in out.getvalue()
