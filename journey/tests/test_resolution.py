"""The AI resolution agent's three bands, with Claude behind a local fake server, and its
fallback to the resolutions of similar solved tickets."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import AgentKind, AIAction, AIResolutionAttempt, Notification
from agents.resolution.agent import REVIEW_TAG, ticket_suggest_reply
from agents.services import ticket_intake_assign
from agents.tests.factories import AgentFactory
from agents.tests.helpers import make_agent
from journey import pipeline
from journey.services import ticket_ai_resolve
from tickets.models import AuthorKind, Comment, Status
from tickets.tests.factories import CommentFactory, QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

RESET_REPLY = "Open Settings > Security and tap 'Reset password'; the link arrives within a minute."


@pytest.fixture
def ai_queue():
    return QueueFactory(slug="accounts", ai_resolution_enabled=True)


@pytest.fixture
def ai_agent(ai_queue):
    bot = AgentFactory(kind=AgentKind.AI, all_queues=False)
    bot.queues.add(ai_queue)
    return bot


@pytest.fixture
def human(ai_queue):
    return make_agent(ai_queue)


@pytest.fixture
def claude(settings, fake_server):
    settings.ANTHROPIC_API_KEY = "test-key"
    settings.ANTHROPIC_BASE_URL = fake_server.url
    settings.HELPDESK_LLM_MODEL = "claude-test-model"

    def answer(reply: str, confidence: float):
        fake_server.reply = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-test",
            "content": [
                {"type": "text", "text": json.dumps({"reply": reply, "confidence": confidence})}
            ],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10},
        }
        return fake_server

    return answer


def solved(queue, subject, body, reply, customer=None):
    kwargs = {"customer": customer} if customer else {}
    ticket = TicketFactory(
        queue=queue,
        subject=subject,
        body=body,
        status=Status.CLOSED,
        resolved_at=timezone.now() - timedelta(days=1),
        **kwargs,
    )
    CommentFactory(ticket=ticket, author_kind=AuthorKind.AGENT, body=reply)
    CommentFactory(ticket=ticket, author_kind=AuthorKind.AGENT, body="internal", internal=True)
    return ticket


def new_ticket(queue, customer, **kwargs):
    ticket = TicketFactory(
        queue=queue,
        customer=customer,
        subject=kwargs.pop("subject", "I forgot my password"),
        body=kwargs.pop("body", "How do I reset my password? I cannot log in."),
        context={"platform": "ios", "app_version": "2.9.1", "last_screen": "Login"},
        **kwargs,
    )
    assert ticket_intake_assign(ticket=ticket).agent.kind == AgentKind.AI
    return ticket


def test_high_confidence_replies_and_resolves(ai_queue, ai_agent, human, customer, claude):
    server = claude(RESET_REPLY, 0.93)
    earlier = solved(ai_queue, "Login trouble", "Locked out", "Unlocked it.", customer=customer)
    ticket = new_ticket(ai_queue, customer)

    attempt = ticket_ai_resolve(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert attempt.action == AIAction.RESOLVED and attempt.source == "llm"
    assert ticket.status == Status.RESOLVED
    assert ticket.first_response_at is not None
    reply = ticket.comments.get(internal=False)
    assert reply.body == RESET_REPLY and reply.author == ai_agent.user
    assert ticket.events.filter(kind="ai_resolved").exists()
    # The full context was given to Claude and kept with the attempt.
    assert attempt.context["mobile_context"]["last_screen"] == "Login"
    assert attempt.context["previous_tickets"][0]["id"] == str(earlier.pk)
    assert attempt.context["previous_tickets"][0]["resolution"] == "Unlocked it."
    sent = json.loads(server.requests[0]["body"])
    assert "I forgot my password" in sent["messages"][0]["content"]
    assert "Unlocked it." in sent["messages"][0]["content"]
    # The reply goes out through the customer's channel too.
    assert Notification.objects.filter(event="ticket.reply", recipient=customer.email).exists()


def test_middle_confidence_replies_and_asks_a_human_to_review(
    ai_queue, ai_agent, human, customer, claude
):
    claude(RESET_REPLY, 0.7)
    ticket = new_ticket(ai_queue, customer)

    attempt = ticket_ai_resolve(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert attempt.action == AIAction.REVIEW
    assert ticket.comments.filter(internal=False, body=RESET_REPLY).count() == 1
    assert REVIEW_TAG in ticket.tags
    assert ticket.events.filter(kind="ai_review_requested").exists()
    assert ticket.assigned_agent == human
    assert ticket.status == Status.ASSIGNED


def test_low_confidence_sends_nothing_and_leaves_a_suggestion(
    ai_queue, ai_agent, human, customer, claude
):
    claude("Maybe try turning it off and on?", 0.3)
    ticket = new_ticket(ai_queue, customer)

    attempt = ticket_ai_resolve(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert attempt.action == AIAction.HANDOFF
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert ticket.suggested_reply == "Maybe try turning it off and on?"
    assert ticket.assigned_agent == human
    assert ticket.first_response_at is None
    assert ticket.events.filter(kind="ai_handoff").exists()
    assert not Notification.objects.filter(event="ticket.reply").exists()


def test_thresholds_are_per_queue(ai_queue, ai_agent, human, customer, claude):
    ai_queue.ai_auto_resolve_threshold = 0.95
    ai_queue.save()
    claude(RESET_REPLY, 0.93)
    ticket = new_ticket(ai_queue, customer)
    assert ticket_ai_resolve(ticket_id=ticket.pk).action == AIAction.REVIEW


def test_each_ticket_is_attempted_once(ai_queue, ai_agent, human, customer, claude):
    claude(RESET_REPLY, 0.93)
    ticket = new_ticket(ai_queue, customer)
    ticket_ai_resolve(ticket_id=ticket.pk)
    assert ticket_ai_resolve(ticket_id=ticket.pk) is None
    assert AIResolutionAttempt.objects.filter(ticket=ticket).count() == 1
    assert ticket.comments.count() == 1


def test_without_claude_the_most_similar_solved_ticket_answers(ai_queue, ai_agent, human, customer):
    match = solved(
        ai_queue,
        "I forgot my password",
        "How do I reset my password? I cannot log in.",
        RESET_REPLY,
    )
    solved(ai_queue, "Refund for order", "I was charged twice for my order.", "Refunded.")
    ticket = new_ticket(ai_queue, customer)

    attempt = ticket_ai_resolve(ticket_id=ticket.pk)

    assert attempt.source == "similar_tickets"
    assert str(attempt.matched_ticket) == str(match.pk)
    assert attempt.confidence > 0.85 and attempt.action == AIAction.RESOLVED
    assert ticket.comments.get(internal=False).body == RESET_REPLY


def test_without_claude_an_unrelated_ticket_goes_to_a_human(ai_queue, ai_agent, human, customer):
    solved(ai_queue, "Refund for order", "I was charged twice for my order.", "Refunded.")
    ticket = new_ticket(
        ai_queue, customer, subject="Dark mode", body="Please add a dark theme to the app."
    )
    attempt = ticket_ai_resolve(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert attempt.action == AIAction.HANDOFF and attempt.confidence < 0.6
    assert ticket.assigned_agent == human and not ticket.comments.exists()


def test_claude_failing_falls_back_to_similar_tickets(ai_queue, ai_agent, human, customer, claude):
    server = claude(RESET_REPLY, 0.99)
    server.statuses = [500, 500, 500]
    solved(ai_queue, "I forgot my password", "How do I reset my password?", "Use the link.")
    ticket = new_ticket(ai_queue, customer)
    attempt = ticket_ai_resolve(ticket_id=ticket.pk)
    assert attempt.source == "similar_tickets" and attempt.draft == "Use the link."


def test_routed_tickets_get_a_suggested_reply_after_commit(
    queue, customer, django_capture_on_commit_callbacks
):
    make_agent(queue)
    solved(queue, "App crashes on start", "The app crashes when I open it.", "Update to 3.1.")
    ticket = TicketFactory(
        queue=queue,
        customer=customer,
        subject="Crash on start",
        body="The app crashes when I open it",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_intake_assign(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assigned_agent is not None
    assert ticket.suggested_reply == "Update to 3.1."
    assert AIResolutionAttempt.objects.get(ticket=ticket).action == AIAction.SUGGESTION
    # An agent's own edit is never overwritten by a later run.
    ticket.suggested_reply = "Edited by me"
    ticket.save()
    assert ticket_suggest_reply(ticket_id=ticket.pk) is False


def test_the_reply_goes_back_through_the_originating_channel(
    ai_queue, ai_agent, human, customer, claude, settings
):
    from agents.models import PushDevice

    settings.HELPDESK_FCM_PROJECT_ID = "demo"
    PushDevice.objects.create(user=customer, platform="android", token="phone-9")
    claude(RESET_REPLY, 0.95)
    app_ticket = new_ticket(ai_queue, customer, channel="in_app")
    ticket_ai_resolve(ticket_id=app_ticket.pk)
    mail_ticket = new_ticket(ai_queue, customer, channel="email")
    ticket_ai_resolve(ticket_id=mail_ticket.pk)

    def backends(ticket):
        return set(
            Notification.objects.filter(ticket=ticket, event="ticket.reply").values_list(
                "backend", flat=True
            )
        )

    assert backends(app_ticket) == {"fcm"}
    assert backends(mail_ticket) == {"email"}


def test_intake_hands_ai_queue_tickets_to_the_ai_agent_after_commit(
    ai_queue, ai_agent, human, customer, claude, django_capture_on_commit_callbacks, monkeypatch
):
    claude(RESET_REPLY, 0.9)
    ticket = TicketFactory(queue=ai_queue, customer=customer, subject="Password", body="Reset?")
    # routing already placed the ticket in the AI queue
    monkeypatch.setattr(pipeline.routing, "ticket_route", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pipeline.ticket_intake(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assigned_agent == ai_agent and ticket.status == Status.ASSIGNED
    assert not AIResolutionAttempt.objects.exists()  # nothing ran inside the transaction
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()  # the Celery task (eager in tests)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert AIResolutionAttempt.objects.get(ticket=ticket).action == AIAction.RESOLVED
