"""For each app's admin tests: a superuser's client, admin URLs, and a ticket whose text tries to
inject a script, with a comment and a history entry."""

from django.urls import reverse

from tickets.models import Category, Comment, Queue, Status, Ticket, TicketEvent
from tickets.tests.factories import CategoryFactory, QueueFactory, TicketFactory, UserFactory

XSS = '<script>alert("x")</script>'


def superuser_client(client):
    """`client` signed in as a superuser, who is `client.user`."""
    user = UserFactory(username="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def admin_url(model, action: str, *args) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


def ticket_objects(customer, agent) -> dict:
    """A queue, a category with a sub-category, and a ticket assigned to `agent` with a comment and
    a history entry, keyed by model."""
    queue = QueueFactory(slug="billing", name="Billing")
    parent = CategoryFactory(slug="billing", name="Billing", queue=queue)
    CategoryFactory(slug="refund", name="Refund", parent=parent, queue=queue)
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
        Comment: ticket.comments.first(),
        TicketEvent: ticket.events.first(),
    }
