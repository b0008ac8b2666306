"""Agents hear of their own tickets: a ticket assigned to them and a customer's reply to one of
theirs, by mail (and push), once per event, as they chose; never the AI agent, never a note."""

import json

import pytest
from django.core import mail

from agents.models import AgentKind, Notification, PushDevice
from agents.services import ticket_intake_assign
from agents.services.agent_alerts import agent_preferences_update
from agents.tests.factories import AgentFactory
from journey import pipeline
from journey.services import comment_add, ticket_reassign
from tickets.models import MailMessage, Status
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

from .test_mail_in import post, raw_mail

pytestmark = pytest.mark.django_db


def mails_to(agent) -> list:
    return [m for m in mail.outbox if m.to == [agent.user.email]]


@pytest.fixture
def ann(db):
    return AgentFactory(user=UserFactory(username="ann@example.com", first_name="Ann"))


def test_an_assignment_mails_the_agent_once_with_ref_subject_and_link(
    ann, queue, settings, django_capture_on_commit_callbacks
):
    settings.HELPDESK_PUBLIC_URL = "https://help.example.com"
    ticket = TicketFactory(queue=queue, subject="Refund not received")
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.ticket_intake(ticket=ticket)
        pipeline.ticket_assign(ticket=ticket)  # already assigned: nothing new to tell
    (sent,) = mails_to(ann)
    assert sent.subject == f"Assigned to you: #{ticket.ref} Refund not received"
    assert f"#{ticket.ref}" in sent.body and "Refund not received" in sent.body
    assert f"https://help.example.com/workspace/tickets/{ticket.pk}/" in sent.body
    assert f"[#{ticket.ref}]" not in sent.subject  # a reply to it never lands on the ticket


def test_a_reassignment_tells_the_new_agent_who_and_why_but_not_someone_taking_it(
    ann, queue, manager, django_capture_on_commit_callbacks
):
    ben = AgentFactory(user=UserFactory(username="ben@example.com"))
    ticket = TicketFactory(queue=queue, status=Status.ASSIGNED, assigned_agent=ann)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reassign(ticket=ticket, user=manager, agent=ben, reason="Ben knows billing")
        ticket_reassign(ticket=ticket, user=ann.user, agent=ann, reason="I'll take it back")
    (sent,) = mails_to(ben)
    assert "Ben knows billing" in sent.body
    assert mails_to(ann) == []  # she took it herself


def test_preference_off_means_no_mail_for_that_kind(
    ann, queue, customer, django_capture_on_commit_callbacks
):
    agent_preferences_update(agent=ann, notify_on_assignment=False, notify_on_customer_reply=True)
    ticket = TicketFactory(queue=queue, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.ticket_intake(ticket=ticket)
    assert mails_to(ann) == []
    agent_preferences_update(agent=ann, notify_on_assignment=True, notify_on_customer_reply=False)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=customer, body="Any news?")
    assert mails_to(ann) == []
    assert not Notification.objects.filter(event__startswith="agent.").exists()


def test_the_ai_agent_is_never_told(customer, django_capture_on_commit_callbacks):
    queue = QueueFactory(slug="faq", ai_resolution_enabled=True)
    ai = AgentFactory(user=UserFactory(username="ai@example.com"), kind=AgentKind.AI)
    ticket = TicketFactory(queue=queue, customer=customer)
    with django_capture_on_commit_callbacks(execute=False):  # the AI's run is not under test
        ticket_intake_assign(ticket=ticket)  # the queue's AI agent takes it
    ticket.refresh_from_db()
    assert ticket.assigned_agent_id == ai.pk
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=customer, body="Hello?")
    assert mails_to(ai) == []
    assert not Notification.objects.filter(event__startswith="agent.").exists()


def test_a_customer_reply_in_the_app_mails_the_assigned_agent_once_without_notes(
    ann, customer, queue, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(
        queue=queue, customer=customer, status=Status.PENDING_CUSTOMER, assigned_agent=ann
    )
    comment_add(ticket=ticket, user=ann.user, body="SECRET: customer is on thin ice", internal=True)
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_add(ticket=ticket, user=customer, body="Here is the invoice number 42.")
    (sent,) = mails_to(ann)
    assert sent.subject == f"Customer replied: #{ticket.ref} {ticket.subject}"
    assert "Here is the invoice number 42." in sent.body
    assert "SECRET" not in sent.body and "thin ice" not in sent.body
    assert f"/workspace/tickets/{ticket.pk}/" in sent.body
    # the same reply told again (a retried task) sends nothing more
    from agents.services.agent_alerts import agent_customer_reply_notify

    with django_capture_on_commit_callbacks(execute=True):
        assert agent_customer_reply_notify(ticket=ticket, comment=reply) == []
    assert len(mails_to(ann)) == 1


def test_a_customer_reply_by_mail_mails_the_assigned_agent(
    ann, customer, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(
        customer=customer,
        customer_email="alice@example.com",
        status=Status.IN_PROGRESS,
        assigned_agent=ann,
    )
    MailMessage.objects.create(ticket=ticket, direction="out", message_id="<ours@desk>")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            raw_mail(message_id="<r9@x>", body="Still broken.", In_Reply_To="<ours@desk>")
        )
        post(raw_mail(message_id="<r9@x>", body="Still broken.", In_Reply_To="<ours@desk>"))
    assert response.status_code == 201, response.content
    (sent,) = mails_to(ann)
    assert "Still broken." in sent.body and f"#{ticket.ref}" in sent.body


def test_an_agent_with_a_phone_gets_a_push_too(
    ann, queue, google, django_capture_on_commit_callbacks
):
    PushDevice.objects.create(user=ann.user, platform="android", token="ann-phone")
    ticket = TicketFactory(queue=queue)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.ticket_intake(ticket=ticket)
    assert len(mails_to(ann)) == 1
    (request,) = google.sends  # through FCM HTTP v1, with a token from the service account
    message = json.loads(request["body"])["message"]
    assert message["token"] == "ann-phone"
    assert message["data"]["event"] == "agent.assigned"
    assert ticket.ref in message["notification"]["title"]
