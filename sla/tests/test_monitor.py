"""The monitor pass: at-risk and breach escalations, once each, with their side effects."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sla.monitor import sla_monitor_run
from sla.services import sla_clock_start
from tickets.models import Comment, Status, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def due_ticket(
    *, queue, agent=None, status=Status.ASSIGNED, resolution_in=None, first_in=None, **extra
) -> Ticket:
    """A running ticket whose clocks were started, with deadlines moved to the given offsets."""
    ticket = TicketFactory(queue=queue, status=status, assigned_agent=agent, **extra)
    sla_clock_start(ticket=ticket)
    now = timezone.now()
    ticket.refresh_from_db()
    if resolution_in is not None:
        ticket.sla_resolution_due = now + resolution_in
        ticket.sla_clock.resolution_risk_at = ticket.sla_resolution_due - timedelta(minutes=30)
    if first_in is not None:
        ticket.sla_first_response_due = now + first_in
        ticket.sla_clock.first_response_risk_at = ticket.sla_first_response_due - timedelta(
            minutes=30
        )
    ticket.sla_clock.save()
    ticket.save()
    return ticket


@pytest.fixture
def delivered():
    """Live events as they leave after commit."""
    with mock.patch("live.realtime._deliver") as deliver:
        yield lambda: [call.args[0] for call in deliver.call_args_list]


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return sla_monitor_run()


def test_entering_at_risk_window_escalates_once(
    queue, agent, delivered, django_capture_on_commit_callbacks
):
    ticket = due_ticket(queue=queue, agent=agent, resolution_in=timedelta(minutes=12))
    result = run(django_capture_on_commit_callbacks)
    assert result.at_risk["resolution"] == [ticket.pk]
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.sla_resolution_state, ticket.status) == (
        1,
        1,
        "assigned",
    )
    comment = Comment.objects.get(ticket=ticket)
    assert comment.internal and comment.author_kind == "system"
    assert "due in 12 minutes" in comment.body
    assert [m.to for m in mail.outbox] == [[agent.user.email]]
    assert {"type": "ticket.escalated", "ticket_id": str(ticket.pk), "level": 1}.items() <= {
        **next(e for e in delivered() if e["type"] == "ticket.escalated")
    }.items()

    again = run(django_capture_on_commit_callbacks)
    assert again.at_risk["resolution"] == []
    assert Comment.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1
    assert len(mail.outbox) == 1


def test_breach_escalates_to_level_two_once(
    queue, agent, manager, delivered, django_capture_on_commit_callbacks
):
    ticket = due_ticket(
        queue=queue, agent=agent, status=Status.IN_PROGRESS, resolution_in=-timedelta(minutes=3)
    )
    result = run(django_capture_on_commit_callbacks)
    assert result.breached["resolution"] == [ticket.pk]
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.status, ticket.sla_resolution_state) == (
        2,
        "escalated",
        2,
    )
    status_event = TicketEvent.objects.get(ticket=ticket, kind="status_changed")
    assert (status_event.before, status_event.after) == ("in_progress", "escalated")
    assert TicketEvent.objects.get(ticket=ticket, kind="escalated").after == 2
    assert "SLA breached" in Comment.objects.get(ticket=ticket).body
    assert [m.to for m in mail.outbox] == [[manager.email]]
    types = [e["type"] for e in delivered()]
    assert {"ticket.escalated", "ticket.status_changed", "ticket.comment_added"} <= set(types)
    assert next(e for e in delivered() if e["type"] == "ticket.escalated")["level"] == 2

    run(django_capture_on_commit_callbacks)
    assert TicketEvent.objects.filter(ticket=ticket, kind="escalated").count() == 1
    assert len(mail.outbox) == 1


def test_first_response_breach_escalates_until_answered(
    queue, agent, django_capture_on_commit_callbacks
):
    late = due_ticket(queue=queue, status=Status.OPEN, first_in=-timedelta(minutes=1))
    answered = due_ticket(
        queue=queue,
        status=Status.OPEN,
        first_in=-timedelta(minutes=1),
        first_response_at=timezone.now() - timedelta(hours=1),
    )
    result = run(django_capture_on_commit_callbacks)
    assert result.breached["first_response"] == [late.pk]
    late.refresh_from_db()
    answered.refresh_from_db()
    assert (late.status, late.escalation_level) == ("escalated", 2)
    assert (answered.status, answered.escalation_level) == ("open", 0)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.PENDING_CUSTOMER])
def test_stopped_tickets_never_escalate(queue, status, django_capture_on_commit_callbacks):
    ticket = due_ticket(
        queue=queue, status=status, resolution_in=-timedelta(hours=1), first_in=-timedelta(hours=2)
    )
    run(django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.status) == (0, status)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_paused_clock_never_escalates(queue, django_capture_on_commit_callbacks):
    ticket = due_ticket(
        queue=queue,
        resolution_in=-timedelta(hours=1),
        sla_paused_at=timezone.now() - timedelta(hours=2),
    )
    run(django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0


def test_ticket_without_sla_is_left_alone(queue, django_capture_on_commit_callbacks):
    ticket = TicketFactory(queue=queue)
    result = run(django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0 and ticket.breach_risk is None
    assert not any(result.breached.values())


def test_already_escalated_ticket_keeps_its_status_and_higher_level(
    queue, django_capture_on_commit_callbacks
):
    ticket = due_ticket(
        queue=queue, status=Status.ESCALATED, resolution_in=timedelta(minutes=5), escalation_level=2
    )
    run(django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_level, ticket.sla_resolution_state) == (
        "escalated",
        2,
        1,
    )
    assert not TicketEvent.objects.filter(ticket=ticket, kind="status_changed").exists()


def test_policy_window_decides_when_at_risk_starts(queue, django_capture_on_commit_callbacks):
    from sla.models import SLAPolicy

    SLAPolicy.objects.create(
        name="wide",
        priority="normal",
        first_response_minutes=240,
        resolution_minutes=1440,
        at_risk_minutes=120,
    )
    inside = due_ticket(queue=queue, priority="normal")
    outside = due_ticket(queue=queue, priority="low")
    for ticket, due_in, window in ((inside, 90, 120), (outside, 90, 30)):
        ticket.sla_resolution_due = timezone.now() + timedelta(minutes=due_in)
        ticket.sla_clock.resolution_risk_at = ticket.sla_resolution_due - timedelta(minutes=window)
        ticket.sla_clock.save()
        ticket.save()
    result = run(django_capture_on_commit_callbacks)
    assert result.at_risk["resolution"] == [inside.pk]


def test_sla_check_command_runs_a_pass(queue):
    ticket = due_ticket(queue=queue, resolution_in=-timedelta(minutes=1))
    out = StringIO()
    call_command("sla_check", stdout=out)
    assert f"resolution breached: ticket {ticket.pk}" in out.getvalue()
    assert "resolution at risk: 0, breached: 1" in out.getvalue()
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2


def test_monitor_schedule_is_stored_for_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="sla: monitor")
    assert task.task == "sla.tasks.sla_monitor" and task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    risk = PeriodicTask.objects.get(name="sla: breach risk")
    assert risk.task == "sla.tasks.breach_risk_refresh" and risk.enabled
    assert (risk.interval.every, risk.interval.period) == (5, "minutes")


def test_task_runs_the_monitor(queue):
    from sla.tasks import sla_monitor

    ticket = due_ticket(queue=queue, resolution_in=-timedelta(minutes=1))
    summary = sla_monitor.delay().get()
    assert "resolution at risk: 0, breached: 1" in summary
    ticket.refresh_from_db()
    assert ticket.status == "escalated"


def test_breach_risk_task_scores_open_tickets(queue):
    from sla.tasks import breach_risk_refresh_task

    ticket = due_ticket(queue=queue, resolution_in=timedelta(hours=2))
    assert breach_risk_refresh_task.delay().get() == 1
    ticket.refresh_from_db()
    assert 0 < ticket.breach_risk < 1


def test_escalation_events_say_whose_workspace_lists_they_concern(
    queue, agent, django_capture_on_commit_callbacks
):
    """Agents limited to some queues get only their tickets' escalations (live/fanout.py):
    the pass's events carry the ticket's queue and assignee, read in its bulk SQL."""
    breached = due_ticket(queue=queue, agent=agent, resolution_in=timedelta(minutes=-5))
    at_risk = due_ticket(queue=queue, resolution_in=timedelta(minutes=12))
    with mock.patch("live.realtime._deliver") as deliver:
        run(django_capture_on_commit_callbacks)
    sent = [(call.args[0], call.kwargs["audience"]) for call in deliver.call_args_list]
    mine = {"queues": [queue.pk], "agents": [agent.pk]}
    unassigned = {"queues": [queue.pk], "agents": []}
    assert {(e["type"], e["ticket_id"]): audience for e, audience in sent} == {
        ("ticket.escalated", str(breached.pk)): mine,
        ("ticket.status_changed", str(breached.pk)): mine,
        ("ticket.comment_added", str(breached.pk)): mine,
        ("ticket.escalated", str(at_risk.pk)): unassigned,
        ("ticket.comment_added", str(at_risk.pk)): unassigned,
    }


def test_a_pass_costs_the_same_queries_for_few_or_many_escalations(
    queue, agent, django_capture_on_commit_callbacks
):
    """The claims read what the notes, live events and mail need (queue, assignee, subject,
    deadline): no query per ticket, whatever the number of escalations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def pass_over(n: int) -> int:
        for i in range(n):
            due_ticket(
                queue=queue, agent=agent if i % 2 else None, resolution_in=timedelta(minutes=-5)
            )
        with CaptureQueriesContext(connection) as queries:
            result = sla_monitor_run(refresh_risk=False)
        assert len(result.breached["resolution"]) == n
        return len(queries.captured_queries)

    assert pass_over(2) == pass_over(8)


def test_a_failing_mail_server_delays_sla_mail_and_loses_none(
    queue, agent, monkeypatch, django_capture_on_commit_callbacks
):
    from agents.models import Notification, NotificationStatus
    from agents.notifications.base import DeliveryError
    from agents.notifications.email import EmailBackend
    from agents.services.notifications import notification_deliver

    due_ticket(queue=queue, agent=agent, resolution_in=timedelta(minutes=12))
    with django_capture_on_commit_callbacks(execute=False):  # the send is the outbox's job
        sla_monitor_run()
    row = Notification.objects.get(event="sla.at_risk")
    real_send = EmailBackend.send

    def down(self, message):
        raise DeliveryError("SMTP connection refused")

    monkeypatch.setattr(EmailBackend, "send", down)
    assert notification_deliver(notification_id=row.pk).retry_in is not None
    row.refresh_from_db()
    assert (row.status, row.recipient, mail.outbox) == (
        NotificationStatus.PENDING,
        agent.user.email,
        [],
    )
    assert "refused" in row.last_error

    monkeypatch.setattr(EmailBackend, "send", real_send)  # the server is back
    assert notification_deliver(notification_id=row.pk).sent is True
    assert [m.subject for m in mail.outbox] == ["SLA at risk on 1 ticket(s)"]
