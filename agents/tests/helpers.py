from datetime import timedelta

from django.utils import timezone

from agents.tests.factories import AgentFactory
from tickets.models import Status
from tickets.tests.factories import TicketFactory


def make_agent(queue=None, **kwargs):
    """A human agent working around the clock; in `queue` only, when given."""
    agent = AgentFactory(all_queues=queue is None, **kwargs)
    if queue is not None:
        agent.queues.add(queue)
    return agent


def history(agent, queue, *, resolved=0, reopened=0, hours=2.0, category=None):
    """Solved tickets in `agent`'s past: `resolved` of them, `reopened` of which came back."""
    now = timezone.now()
    for i in range(resolved):
        created = now - timedelta(days=3, hours=i)
        TicketFactory(
            queue=queue,
            category=category,
            assigned_agent=agent,
            status=Status.CLOSED,
            created_at=created,
            resolved_at=created + timedelta(hours=hours),
            reopened_count=1 if i < reopened else 0,
        )
