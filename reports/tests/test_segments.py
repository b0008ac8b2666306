"""Handling segments: time from assignment, credited per agent, split by reassignment."""

from datetime import timedelta

import pytest

from agents.tests.factories import AgentFactory
from reports.filters import filters_parse
from reports.selectors.segments import agent_segments
from tickets import events
from tickets.models import Comment, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

from .conftest import midnight_days_ago

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def at(row, when):
    TicketEvent.objects.filter(pk=row.pk).update(created_at=when)


def reply(ticket, agent, when, *, internal=False):
    comment = Comment.objects.create(
        ticket=ticket, author=agent.user, author_kind="agent", body="On it.", internal=internal
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=when)


@pytest.fixture
def handover(db):
    """Created at `base`; assigned to Ann at +1 h (a note at +1.2 h, her reply at +1.5 h);
    reassigned to Ben at +3 h; Ben replies at +5 h and resolves at +7 h."""
    base = midnight_days_ago(5)
    ann = AgentFactory(
        user=UserFactory(username="ann@example.com", first_name="Ann", last_name="A")
    )
    ben = AgentFactory(
        user=UserFactory(username="ben@example.com", first_name="Ben", last_name="B")
    )
    ticket = TicketFactory(created_at=base, queue=QueueFactory(slug="billing"), assigned_agent=ben)
    at(
        events.ticket_assigned_event(
            ticket=ticket, before=None, after=ann.name, reason="best", data={"agent_id": ann.pk}
        ),
        base + H,
    )
    reply(ticket, ann, base + 1.2 * H, internal=True)
    reply(ticket, ann, base + 1.5 * H)
    at(
        events.ticket_reassigned_event(
            ticket=ticket,
            actor=None,
            field="assigned_agent",
            before=ann.name,
            after=ben.name,
            reason="Ben knows billing",
            data={"from_agent_id": ann.pk, "to_agent_id": ben.pk},
        ),
        base + 3 * H,
    )
    reply(ticket, ben, base + 5 * H)
    at(
        events.ticket_status_changed_event(
            ticket=ticket, actor=ben.user, before="in_progress", after="resolved"
        ),
        base + 7 * H,
    )
    return {"ann": ann, "ben": ben, "ticket": ticket, "base": base}


def rows(**params) -> dict:
    return {row["agent"]: row for row in agent_segments(filters=filters_parse(params))}


def test_a_reassignment_splits_the_credit(handover):
    got = rows(days="30")
    ann, ben = got["Ann A"], got["Ben B"]
    # Ann: one segment, handed on, answered 30 min after she got it (her note is no answer)
    assert (ann["segments"], ann["handed_on"], ann["responded_in_segment"]) == (1, 1, 1)
    assert ann["avg_response_from_assignment_s"] == 1800.0
    assert ann["median_response_from_assignment_s"] == 1800.0
    assert ann["resolved_in_segment"] == 0 and ann["avg_resolution_from_assignment_s"] is None
    # Ben: measured from his assignment at +3 h, not from the ticket's creation
    assert (ben["segments"], ben["handed_on"], ben["resolved_in_segment"]) == (1, 0, 1)
    assert ben["avg_response_from_assignment_s"] == 7200.0
    assert ben["avg_resolution_from_assignment_s"] == 14400.0
    assert ben["median_resolution_from_assignment_s"] == 14400.0


def test_the_agent_filter_picks_the_segments_agent_not_the_current_assignee(handover):
    got = rows(days="30", agent=str(handover["ann"].pk))
    assert list(got) == ["Ann A"]


def test_unassignment_ends_a_segment_and_periods_count_segments_begun_in_them(handover):
    ticket, base, ann = handover["ticket"], handover["base"], handover["ann"]
    at(
        events.ticket_assigned_event(
            ticket=ticket, before=None, after=ann.name, reason="", data={"agent_id": ann.pk}
        ),
        base + 8 * H,
    )
    at(
        events.ticket_unassigned_event(ticket=ticket, actor=None, before=ann.name, reason="x"),
        base + 9 * H,
    )
    ann_row = rows(days="30")["Ann A"]
    assert (ann_row["segments"], ann_row["handed_on"]) == (2, 2)
    start = (base + timedelta(days=1)).date().isoformat()
    assert rows(start=start) == {}
