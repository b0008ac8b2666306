"""The score is learned from history: rate and speed per queue/category, workload, exploration."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.ranking import HISTORY_DAYS, AgentHistory, agent_history, score_agent
from agents.services import ticket_assign
from agents.tests.helpers import history, make_agent
from journey.services import ticket_reassign
from tickets.models import Status
from tickets.tests.factories import CategoryFactory, QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


def chosen(queue, **kwargs):
    ticket = TicketFactory(queue=queue, **kwargs)
    return ticket_assign(ticket=ticket), ticket


def test_reopened_tickets_count_against_an_agent(queue):
    sloppy = make_agent(queue)
    careful = make_agent(queue)
    history(sloppy, queue, resolved=10, reopened=6)
    history(careful, queue, resolved=10, reopened=0)
    result, ticket = chosen(queue)
    assert result.agent == careful
    event = ticket.events.get(kind="assigned")
    assert event.data["score"]["agent_id"] == careful.pk
    assert event.data["runner_up"]["agent_id"] == sloppy.pk
    assert event.data["score"]["score"] > event.data["runner_up"]["score"]
    assert event.data["score"]["rate"] > event.data["runner_up"]["rate"]


def test_faster_resolution_wins_at_equal_rate(queue):
    slow = make_agent(queue)
    fast = make_agent(queue)
    history(slow, queue, resolved=8, hours=30)
    history(fast, queue, resolved=8, hours=1)
    assert chosen(queue)[0].agent == fast


def test_history_is_per_queue_and_category(queue):
    billing, tech = CategoryFactory(slug="billing"), CategoryFactory(slug="tech")
    billing_expert = make_agent(queue)
    tech_expert = make_agent(queue)
    history(billing_expert, queue, category=billing, resolved=10)
    history(billing_expert, queue, category=tech, resolved=10, reopened=8)
    history(tech_expert, queue, category=tech, resolved=10)
    history(tech_expert, queue, category=billing, resolved=10, reopened=8)
    assert chosen(queue, category=billing)[0].agent == billing_expert
    assert chosen(queue, category=tech)[0].agent == tech_expert
    # History in another queue says nothing about this one.
    other_queue = QueueFactory(slug="elsewhere")
    history(tech_expert, other_queue, category=billing, resolved=30)
    assert chosen(queue, category=billing)[0].agent == billing_expert


def test_history_counts_assigned_tickets_of_the_last_history_days_only(queue):
    agent = make_agent(queue)
    history(agent, queue, resolved=3)
    long_ago = timezone.now() - timedelta(days=HISTORY_DAYS + 20)
    TicketFactory(
        queue=queue,
        assigned_agent=agent,
        status=Status.CLOSED,
        created_at=long_ago,
        resolved_at=long_ago + timedelta(hours=1),
        reopened_count=1,
    )
    TicketFactory(queue=queue, status=Status.CLOSED, resolved_at=timezone.now())  # nobody's
    known = agent_history(queue_id=queue.pk, category_id=None)
    assert list(known) == [agent.pk]
    assert (known[agent.pk].resolved, known[agent.pk].reopened) == (3, 0)


def test_reassignment_away_counts_against_the_first_agent(queue, manager):
    first = make_agent(queue, max_tickets=100)
    second = make_agent(queue, max_tickets=100)
    history(first, queue, resolved=10)
    history(second, queue, resolved=10)
    # Equal records, so the tie goes to the agent created first...
    assert chosen(queue)[0].agent == first
    for _ in range(8):
        ticket = TicketFactory(queue=queue, assigned_agent=first, status=Status.ASSIGNED)
        ticket_reassign(ticket=ticket, user=manager, agent=second, reason="wrong person")
    # ...until tickets keep being taken away from them.
    result, ticket = chosen(queue)
    assert result.agent == second
    assert ticket.events.get(kind="assigned").data["runner_up"]["agent_id"] == first.pk


def test_current_workload_lowers_the_score(queue):
    busy = make_agent(queue)
    idle = make_agent(queue)
    for _ in range(6):
        TicketFactory(queue=queue, assigned_agent=busy, status=Status.IN_PROGRESS)
    result, _ = chosen(queue)
    assert result.agent == idle
    assert result.runner_up.load > result.score.load


def test_exploration_gives_a_new_agent_tickets_until_judged(queue):
    veteran = make_agent(queue)
    history(veteran, queue, resolved=20)
    newcomer = make_agent(queue)
    result, _ = chosen(queue)
    assert result.agent == newcomer
    assert result.score.explore > result.runner_up.explore
    # Once the newcomer has a long, poor record the bonus has shrunk and the veteran wins.
    history(newcomer, queue, resolved=20, reopened=14)
    TicketFactory._meta.model.objects.filter(
        assigned_agent=newcomer, status=Status.ASSIGNED
    ).update(status=Status.RESOLVED)
    assert chosen(queue)[0].agent == veteran


def test_exploration_bonus_shrinks_with_outcomes():
    def bonus(outcomes):
        return score_agent(
            agent_id=1,
            history=AgentHistory(resolved=outcomes),
            open_tickets=0,
            max_tickets=10,
            total_outcomes=100,
            global_avg_hours=None,
        ).explore

    assert bonus(0) > bonus(5) > bonus(50) > 0
