"""Each rule of who may take a ticket, seen through `ticket_assign`."""

from datetime import UTC, datetime

import pytest

from agents.eligibility import is_working, speaks
from agents.models import AgentKind
from agents.services import ticket_assign
from agents.tests.factories import SkillFactory
from agents.tests.helpers import make_agent
from tickets.models import Status
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

MONDAY_10_UTC = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def assign(ticket, at=MONDAY_10_UTC):
    result = ticket_assign(ticket=ticket, at=at)
    ticket.refresh_from_db()
    return result


def test_only_agents_with_the_required_skill(queue):
    skill = SkillFactory(slug="refunds")
    make_agent(queue)
    skilled = make_agent(queue)
    skilled.skills.add(skill)
    ticket = TicketFactory(queue=queue, required_skill=skill)
    assert assign(ticket).agent == skilled
    assert ticket.assigned_agent == skilled
    assert ticket.status == Status.ASSIGNED


def test_queue_required_skill_applies_when_ticket_has_none():
    skill = SkillFactory(slug="security")
    queue = QueueFactory(slug="sec", required_skill=skill)
    make_agent(queue)
    ticket = TicketFactory(queue=queue)
    assert assign(ticket).waiting
    assert ticket.assigned_agent is None


def test_only_agents_in_the_queue(queue):
    other = QueueFactory(slug="other")
    make_agent(other)
    member = make_agent(queue)
    assert assign(TicketFactory(queue=queue)).agent == member


def test_language_must_match_and_region_is_ignored(queue):
    make_agent(queue, languages=["en"])
    german = make_agent(queue, languages=["de", "en"])
    assert assign(TicketFactory(queue=queue, language="de_AT")).agent == german
    assert assign(TicketFactory(queue=queue, language="fr")).waiting


def test_empty_language_matches_anyone(queue):
    agent = make_agent(queue, languages=["ja"])
    assert assign(TicketFactory(queue=queue, language="")).agent == agent


def test_working_hours_are_read_in_the_agents_own_time_zone(queue):
    nine_to_five = {str(d): [["09:00", "17:00"]] for d in range(5)}
    # 10:00 UTC on a Monday is 02:00 in Los Angeles and 19:00 in Tokyo: both off duty.
    make_agent(queue, timezone="America/Los_Angeles", working_hours=nine_to_five)
    make_agent(queue, timezone="Asia/Tokyo", working_hours=nine_to_five)
    berlin = make_agent(queue, timezone="Europe/Berlin", working_hours=nine_to_five)
    assert assign(TicketFactory(queue=queue)).agent == berlin
    # 18:00 UTC: 10:00 in Los Angeles, 19:00 in Berlin.
    evening = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    result = assign(TicketFactory(queue=queue), at=evening)
    assert result.agent.timezone == "America/Los_Angeles"


def test_weekend_is_off_when_no_hours_are_listed(queue):
    make_agent(queue, working_hours={str(d): [["00:00", "24:00"]] for d in range(5)})
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert assign(TicketFactory(queue=queue), at=saturday).waiting


def test_is_working_handles_end_of_day_and_overnight_shifts():
    night = {"0": [["22:00", "06:00"]]}
    monday_23 = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    tuesday_05 = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    tuesday_07 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert is_working(night, "UTC", monday_23)
    assert is_working(night, "UTC", tuesday_05)
    assert not is_working(night, "UTC", tuesday_07)
    assert is_working({"0": [["12:00", "24:00"]]}, "UTC", monday_23)
    assert not is_working({"0": [["bad"]]}, "UTC", monday_23)
    assert not is_working({}, "UTC", monday_23)
    assert speaks([], "de") and speaks(["DE"], "de-CH") and not speaks(["en"], "de")


def test_agent_at_capacity_gets_nothing_more(queue):
    full = make_agent(queue, max_tickets=2)
    TicketFactory(queue=queue, assigned_agent=full, status=Status.IN_PROGRESS)
    TicketFactory(queue=queue, assigned_agent=full, status=Status.PENDING_CUSTOMER)
    TicketFactory(queue=queue, assigned_agent=full, status=Status.RESOLVED)  # does not count
    assert assign(TicketFactory(queue=queue)).waiting
    full.max_tickets = 3
    full.save()
    assert assign(TicketFactory(queue=queue)).agent == full


def test_unavailable_agents_and_ai_agents_are_skipped(queue):
    make_agent(queue, is_available=False)
    make_agent(queue, kind=AgentKind.AI)
    assert assign(TicketFactory(queue=queue)).waiting


def test_an_assigned_ticket_is_not_assigned_again(queue):
    first = make_agent(queue)
    ticket = TicketFactory(queue=queue)
    assign(ticket)
    make_agent(queue)
    assert assign(ticket).agent == first
    assert ticket.events.filter(kind="assigned").count() == 1
