"""The admin a help desk admin uses: every page renders, history is readable, text is escaped."""

import pytest
from django.urls import reverse

from agents.models import Agent, Skill
from agents.tests.factories import AgentFactory, SkillFactory
from journey import services
from routing.models import RoutingRule
from sla.models import BusinessCalendar, Holiday, SLAPolicy
from tickets.models import Category, Comment, Queue, Status, Ticket, TicketEvent
from tickets.tests.factories import CategoryFactory, QueueFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def objects(customer, agent):
    queue = QueueFactory(slug="billing", name="Billing")
    parent = CategoryFactory(slug="billing", name="Billing", queue=queue)
    CategoryFactory(slug="refund", name="Refund", parent=parent, queue=queue)
    skill = SkillFactory(slug="billing", name="Billing")
    agent.skills.add(skill)
    calendar = BusinessCalendar.objects.create(name="Berlin", timezone="Europe/Berlin")
    Holiday.objects.create(calendar=calendar, date="2026-12-25", name="Christmas")
    policy = SLAPolicy.objects.create(
        name="Urgent", priority="urgent", first_response_minutes=30, resolution_minutes=240
    )
    ticket = TicketFactory(
        customer=customer,
        queue=queue,
        subject=f"Refund {XSS}",
        body=f"Body {XSS}",
        assigned_agent=agent,
        status=Status.ASSIGNED,
        confidence=0.42,
        routing_reason="rule 'refund words' fired",
        context={"app_version": XSS},
    )
    Comment.objects.create(ticket=ticket, author=customer, author_kind="customer", body=XSS)
    TicketEvent.objects.create(
        ticket=ticket,
        actor=agent.user,
        kind="reassigned",
        field="queue",
        before="triage",
        after="billing",
        reason=f"wrong queue {XSS}",
    )
    return {
        Ticket: ticket,
        Queue: queue,
        Category: parent,
        Skill: skill,
        Agent: agent,
        BusinessCalendar: calendar,
        SLAPolicy: policy,
        Comment: ticket.comments.first(),
        TicketEvent: ticket.events.first(),
    }


def admin_url(model, action: str, *args) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


@pytest.mark.parametrize(
    "model",
    [Ticket, Comment, TicketEvent, Queue, Category, Skill, Agent, BusinessCalendar, SLAPolicy],
)
def test_changelist_and_change_view_render(admin_client, objects, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(admin_url(model, "change", objects[model].pk))
    assert change.status_code == 200


def test_changelists_search_and_filter(admin_client, objects):
    url = admin_url(Ticket, "changelist")
    assert "Refund" in admin_client.get(url, {"q": "Refund"}).content.decode()
    assert admin_client.get(url, {"status__exact": "assigned", "state": "open"}).status_code == 200
    assert admin_client.get(admin_url(Agent, "changelist"), {"q": "agent"}).status_code == 200


def test_ticket_text_is_escaped_everywhere(admin_client, objects):
    ticket = objects[Ticket]
    for url in (
        admin_url(Ticket, "changelist"),
        admin_url(Ticket, "change", ticket.pk),
        admin_url(Comment, "changelist"),
        admin_url(TicketEvent, "changelist"),
    ):
        html = admin_client.get(url).content.decode()
        assert XSS not in html
    html = admin_client.get(admin_url(Ticket, "change", ticket.pk)).content.decode()
    assert "&lt;script&gt;" in html


def test_ticket_page_shows_routing_and_readable_history(admin_client, objects):
    ticket = objects[Ticket]
    html = admin_client.get(admin_url(Ticket, "change", ticket.pk)).content.decode()
    assert "0.42" in html
    assert "rule &#x27;refund words&#x27; fired" in html
    for text in ("reassigned", "triage", "billing", "wrong queue", "agent@example.com"):
        assert text in html


def test_agent_list_shows_open_tickets_counted_in_sql(
    admin_client, objects, agent, django_assert_max_num_queries
):
    for _ in range(3):
        AgentFactory()
    TicketFactory(assigned_agent=agent, status=Status.CLOSED)
    TicketFactory(assigned_agent=agent, status=Status.IN_PROGRESS)
    with django_assert_max_num_queries(12):
        html = admin_client.get(admin_url(Agent, "changelist")).content.decode()
    assert 'class="field-open_tickets">2<' in html


def test_saving_routing_fields_records_a_correction(admin_client, objects):
    ticket = objects[Ticket]
    other = QueueFactory(slug="shipping", name="Shipping")
    response = admin_client.post(
        admin_url(Ticket, "change", ticket.pk),
        {
            "queue": other.pk,
            "category": "",
            "priority": "high",
            "comments-TOTAL_FORMS": "1",
            "comments-INITIAL_FORMS": "1",
            "comments-0-id": objects[Comment].pk,
            "comments-0-ticket": ticket.pk,
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-0-id": objects[TicketEvent].pk,
            "events-0-ticket": ticket.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.priority) == (other, "high")
    corrected = ticket.events.filter(kind="corrected")
    assert set(corrected.values_list("field", flat=True)) == {"queue", "priority"}
    assert corrected.first().actor == admin_client.user


def test_close_resolved_action_uses_the_lifecycle(admin_client, objects, agent):
    ticket = objects[Ticket]
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.IN_PROGRESS)
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.RESOLVED)
    still_open = TicketFactory(status=Status.IN_PROGRESS)
    admin_client.post(
        admin_url(Ticket, "changelist"),
        {"action": "close_resolved", "_selected_action": [ticket.pk, still_open.pk]},
    )
    ticket.refresh_from_db()
    still_open.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert still_open.status == Status.IN_PROGRESS


def test_admin_index_has_the_help_desk_title(admin_client):
    RoutingRule.objects.create(name="Old apps", conditions="app_version < 3.0")
    html = admin_client.get("/admin/").content.decode()
    assert "Help desk administration" in html
