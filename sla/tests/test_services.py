"""SLA clocks through the real ticket services: start, pause/resume, priority change, outcomes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from journey import services
from sla.models import BusinessCalendar, Holiday, SLAPolicy, TicketSLA
from sla.selectors import sla_targets_for
from sla.services import sla_clock_pause, sla_clock_resume, sla_clock_start
from tickets.models import Priority, Status, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


@pytest.mark.parametrize(
    "priority, first, resolution",
    [("urgent", 30, 240), ("high", 60, 480), ("normal", 240, 1440), ("low", 480, 2880)],
)
def test_default_targets_without_policies(queue, priority, first, resolution):
    ticket = TicketFactory(queue=queue, priority=priority)
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    assert minutes(ticket.sla_first_response_due - ticket.created_at) == first
    assert minutes(ticket.sla_resolution_due - ticket.created_at) == resolution
    assert TicketSLA.objects.get(ticket=ticket).at_risk_minutes == 30


def test_queue_policy_overrides_default_policy(queue):
    other = QueueFactory(slug="other")
    SLAPolicy.objects.create(
        name="default high",
        priority="high",
        first_response_minutes=45,
        resolution_minutes=300,
        at_risk_minutes=20,
    )
    SLAPolicy.objects.create(
        name="vip high",
        priority="high",
        queue=queue,
        first_response_minutes=10,
        resolution_minutes=120,
        at_risk_minutes=5,
    )
    assert sla_targets_for(queue=queue, priority="high").first_response_minutes == 10
    assert sla_targets_for(queue=other, priority="high").first_response_minutes == 45
    assert sla_targets_for(queue=None, priority="high").resolution_minutes == 300
    assert sla_targets_for(queue=queue, priority="low").resolution_minutes == 2880


def test_inactive_policy_is_ignored_and_queue_hours_apply(queue):
    SLAPolicy.objects.create(
        name="off",
        priority="normal",
        queue=queue,
        first_response_minutes=1,
        resolution_minutes=2,
        is_active=False,
    )
    queue.sla_hours = 10
    queue.save()
    targets = sla_targets_for(queue=queue, priority="normal")
    assert (targets.first_response_minutes, targets.resolution_minutes) == (240, 600)


def test_queue_calendar_counts_business_time(queue):
    cal = BusinessCalendar.objects.create(
        name="Berlin office",
        timezone="Europe/Berlin",
        hours={str(d): [["09:00", "17:00"]] for d in range(5)},
    )
    Holiday.objects.create(calendar=cal, date=datetime(2026, 11, 30).date(), name="Closed")
    queue.calendar = cal
    queue.save()
    # Friday 2026-11-27 16:00 Berlin (15:00 UTC), urgent: 30 min first response → Fri 16:30;
    # 4 h resolution: 1 h on Friday, Monday is a holiday, 3 h on Tuesday → Tue 12:00 Berlin.
    ticket = TicketFactory(
        queue=queue, priority="urgent", created_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    )
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.sla_first_response_due == datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    assert ticket.sla_resolution_due == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def test_intake_pipeline_starts_the_clocks(customer):
    ticket = services.ticket_submit(
        subject="Site down",
        body="Nothing loads",
        channel="api",
        customer=customer,
        priority=Priority.URGENT,
    ).ticket
    ticket.refresh_from_db()
    assert ticket.sla_first_response_due is not None
    assert minutes(ticket.sla_resolution_due - ticket.created_at) == pytest.approx(
        sla_targets_for(queue=ticket.queue, priority=ticket.priority).resolution_minutes
    )
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_started").exists()


def test_pause_and_resume_shift_resolution_by_paused_business_time(queue):
    ticket = TicketFactory(queue=queue, priority="high", created_at=MONDAY_9)
    sla_clock_start(ticket=ticket, now=MONDAY_9)
    ticket.refresh_from_db()
    first_due, resolution_due = ticket.sla_first_response_due, ticket.sla_resolution_due
    sla_clock_pause(ticket=ticket, now=MONDAY_9 + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.sla_paused_at == MONDAY_9 + timedelta(hours=1)
    sla_clock_resume(ticket=ticket, now=MONDAY_9 + timedelta(hours=4))
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert ticket.sla_resolution_due == resolution_due + timedelta(hours=3)
    assert ticket.sla_first_response_due == first_due  # the first response clock is not paused


def test_pause_over_a_weekend_only_shifts_by_business_time(queue):
    queue.calendar = BusinessCalendar.objects.create(
        name="Weekdays", hours={str(d): [["09:00", "17:00"]] for d in range(5)}
    )
    queue.save()
    ticket = TicketFactory(queue=queue, priority="high", created_at=MONDAY_9)
    sla_clock_start(ticket=ticket, now=MONDAY_9)
    ticket.refresh_from_db()
    assert ticket.sla_resolution_due == MONDAY_9 + timedelta(hours=8)  # Monday 17:00
    # Paused Friday 16:00 → resumed Monday 10:00: 2 business hours spent paused.
    friday = MONDAY_9 + timedelta(days=4, hours=7)
    sla_clock_pause(ticket=ticket, now=friday)
    sla_clock_resume(ticket=ticket, now=friday + timedelta(days=2, hours=18))
    ticket.refresh_from_db()
    assert ticket.sla_resolution_due == MONDAY_9 + timedelta(days=1, hours=2)  # Tuesday 11:00


def test_pending_customer_pauses_and_customer_reply_resumes(ticket, agent, customer):
    sla_clock_start(ticket=ticket)
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.IN_PROGRESS)
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.PENDING_CUSTOMER)
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is not None
    due = ticket.sla_resolution_due
    # Pretend the customer took two hours to answer.
    ticket.sla_paused_at -= timedelta(hours=2)
    ticket.save(update_fields=["sla_paused_at"])
    services.comment_add(ticket=ticket, user=customer, body="Here are the logs.")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.sla_paused_at is None
    assert minutes(ticket.sla_resolution_due - due) == pytest.approx(120, abs=0.1)


def test_priority_change_recomputes_deadlines(ticket, agent):
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    assert minutes(ticket.sla_resolution_due - ticket.created_at) == 1440
    services.ticket_correct(ticket=ticket, user=agent.user, priority=Priority.URGENT, reason="vip")
    ticket.refresh_from_db()
    assert minutes(ticket.sla_first_response_due - ticket.created_at) == 30
    assert minutes(ticket.sla_resolution_due - ticket.created_at) == 240
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_recomputed").count() == 1


def test_reassigning_to_another_queue_recomputes_deadlines_with_its_policy(ticket, agent):
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    assert minutes(ticket.sla_first_response_due - ticket.created_at) == 240  # normal, default
    vip = QueueFactory(slug="vip")
    SLAPolicy.objects.create(
        name="vip normal",
        priority=ticket.priority,
        queue=vip,
        first_response_minutes=15,
        resolution_minutes=90,
        at_risk_minutes=5,
    )
    services.ticket_reassign(ticket=ticket, user=agent.user, queue=vip, reason="VIP customer")
    ticket.refresh_from_db()
    assert minutes(ticket.sla_first_response_due - ticket.created_at) == 15
    assert minutes(ticket.sla_resolution_due - ticket.created_at) == 90
    event = TicketEvent.objects.get(ticket=ticket, kind="sla_recomputed")
    assert event.reason == "queue vip"


def test_priority_change_keeps_paused_time(queue):
    ticket = TicketFactory(queue=queue, priority="normal", created_at=MONDAY_9)
    sla_clock_start(ticket=ticket, now=MONDAY_9)
    sla_clock_pause(ticket=ticket, now=MONDAY_9 + timedelta(hours=1))
    sla_clock_resume(ticket=ticket, now=MONDAY_9 + timedelta(hours=3))
    ticket.refresh_from_db()
    ticket.priority = "low"
    from sla.services import sla_deadlines_recompute

    sla_deadlines_recompute(ticket=ticket, now=MONDAY_9 + timedelta(hours=3))
    ticket.refresh_from_db()
    assert ticket.sla_resolution_due == MONDAY_9 + timedelta(hours=48 + 2)


def test_lowering_priority_lets_a_fired_level_fire_again_for_the_new_deadline(ticket):
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    ticket.sla_resolution_state = 2
    ticket.priority = "low"
    from sla.services import sla_deadlines_recompute

    sla_deadlines_recompute(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.sla_resolution_state == 0


def test_first_public_reply_meets_first_response(ticket, agent):
    sla_clock_start(ticket=ticket)
    services.comment_add(ticket=ticket, user=agent.user, body="On it", internal=True)
    assert not TicketEvent.objects.filter(ticket=ticket, kind="sla_first_response").exists()
    services.comment_add(ticket=ticket, user=agent.user, body="We are looking into it.")
    event = TicketEvent.objects.get(ticket=ticket, kind="sla_first_response")
    assert event.data["met"] is True
    assert TicketSLA.objects.get(ticket=ticket).first_response_met is True


def test_late_first_reply_is_breached(ticket, agent):
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    ticket.sla_first_response_due = timezone.now() - timedelta(minutes=5)
    ticket.save(update_fields=["sla_first_response_due"])
    services.comment_add(ticket=ticket, user=agent.user, body="Sorry for the wait.")
    assert TicketSLA.objects.get(ticket=ticket).first_response_met is False
    assert TicketEvent.objects.get(ticket=ticket, kind="sla_first_response").reason == "breached"


def test_resolving_records_the_resolution_outcome_and_reopening_resumes(ticket, agent, customer):
    sla_clock_start(ticket=ticket)
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.IN_PROGRESS)
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.RESOLVED)
    ticket.refresh_from_db()
    assert TicketSLA.objects.get(ticket=ticket).resolution_met is True
    assert ticket.sla_paused_at is not None
    services.comment_add(ticket=ticket, user=customer, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.sla_paused_at is None


def test_broken_calendar_does_not_stop_intake(queue):
    queue.calendar = BusinessCalendar.objects.create(name="Broken", hours={"0": [["9", "x"]]})
    queue.save()
    ticket = TicketFactory(queue=queue, priority="high")
    sla_clock_start(ticket=ticket)
    ticket.refresh_from_db()
    assert minutes(ticket.sla_first_response_due - ticket.created_at) == 60  # counted 24x7


def test_calendar_admin_validation_rejects_bad_hours_and_zone():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        BusinessCalendar(name="x", timezone="Mars/Olympus", hours={}).full_clean()
    assert "timezone" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        BusinessCalendar(name="y", hours={"0": [["17:00", "09:00"]]}).full_clean()
    assert "hours" in error.value.message_dict
