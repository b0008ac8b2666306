"""The AI resolution agent's three bands, with Claude behind a local fake server, its offline
answers from saved replies, and the guards that keep one customer's words from another."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import AgentKind, AIAction, AIResolutionAttempt, Notification, SavedReply
from agents.resolution.agent import REVIEW_TAG, ticket_suggest_reply
from agents.services import ticket_intake_assign
from agents.tests.factories import AgentFactory
from agents.tests.helpers import make_agent
from journey import pipeline
from journey.services import ticket_ai_resolve
from tickets.models import AuthorKind, Comment, Status, Ticket
from tickets.tests.factories import CommentFactory, QueueFactory, TicketFactory, UserFactory

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


def saved(queue, name, match_text, body, **kwargs):
    return SavedReply.objects.create(
        queue=queue, name=name, match_text=match_text, body=body, **kwargs
    )


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


def test_without_claude_the_closest_saved_reply_answers_for_this_customer(
    ai_queue, ai_agent, human, customer
):
    customer.first_name, customer.last_name = "Alice", "Smith"
    customer.save()
    reset = saved(
        ai_queue,
        "Password reset",
        "I forgot my password. How do I reset my password? I cannot log in.",
        "Hi {{ customer_name }}, about {{ ticket_ref }}: " + RESET_REPLY,
    )
    saved(ai_queue, "Refund", "I was charged twice for my order", "We refunded you.")
    ticket = new_ticket(ai_queue, customer)

    attempt = ticket_ai_resolve(ticket_id=ticket.pk)

    assert attempt.source == "saved_reply"
    assert attempt.confidence > 0.85 and attempt.action == AIAction.RESOLVED
    sent = ticket.comments.get(internal=False).body
    assert sent == f"Hi {customer.get_full_name()}, about {ticket.ref}: {RESET_REPLY}"
    assert attempt.context["sources"][0] == {
        "saved_reply_id": reset.pk,
        "name": "Password reset",
        "similarity": pytest.approx(attempt.confidence, abs=1e-3),
        "used": True,
    }
    reset.refresh_from_db()
    assert reset.usage_count == 1


def test_without_claude_an_unrelated_ticket_goes_to_a_human(ai_queue, ai_agent, human, customer):
    saved(ai_queue, "Refund", "I was charged twice for my order", "We refunded you.")
    ticket = new_ticket(
        ai_queue, customer, subject="Dark mode", body="Please add a dark theme to the app."
    )
    attempt = ticket_ai_resolve(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert attempt.action == AIAction.HANDOFF and attempt.confidence < 0.6
    assert ticket.assigned_agent == human and not ticket.comments.exists()


def test_claude_failing_falls_back_to_the_saved_reply(ai_queue, ai_agent, human, customer, claude):
    server = claude(RESET_REPLY, 0.99)
    server.statuses = [500, 500, 500]
    saved(ai_queue, "Password reset", "How do I reset my password?", "Use the link.")
    ticket = new_ticket(ai_queue, customer)
    attempt = ticket_ai_resolve(ticket_id=ticket.pk)
    assert attempt.source == "saved_reply" and attempt.draft == "Use the link."


def test_routed_tickets_get_a_suggested_reply_after_commit(
    queue, customer, django_capture_on_commit_callbacks
):
    make_agent(queue)
    earlier = solved(queue, "App crashes on start", "The app crashes when I open it.", "Do X.")
    saved(queue, "Crash on start", "The app crashes when I open it", "Please update to 3.1.")
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
    assert ticket.suggested_reply == "Please update to 3.1."
    attempt = AIResolutionAttempt.objects.get(ticket=ticket)
    assert attempt.action == AIAction.SUGGESTION
    # the similar solved ticket is shown as a link, its reply nowhere
    assert attempt.context["similar"][0]["ticket_id"] == str(earlier.pk)
    assert "Do X." not in json.dumps(attempt.context)
    # An agent's own edit is never overwritten by a later run.
    ticket.suggested_reply = "Edited by me"
    ticket.save()
    assert ticket_suggest_reply(ticket_id=ticket.pk) is False


PERSONAL = "Your one-time unlock code is RST-48213; call us on +49 30 1234567 if it fails."


def _alice_was_answered_personally(queue, customer):
    return solved(
        queue,
        "I forgot my password",
        "How do I reset my password? I cannot log in.",
        PERSONAL,
        customer=customer,
    )


def test_no_customer_gets_another_customers_reply_offline(
    ai_queue, ai_agent, human, customer, other_customer, queue
):
    """The data leak of the issue: an agent answered Alice with a personal code; three other
    customers ask the same; neither their AI answers nor their suggested replies carry it."""
    _alice_was_answered_personally(ai_queue, customer)
    _alice_was_answered_personally(queue, customer)
    make_agent(queue)
    saved(ai_queue, "Password reset", "How do I reset my password", RESET_REPLY)
    others = [other_customer, *(UserFactory() for _ in range(2))]
    for person in others:
        ticket = new_ticket(ai_queue, person)
        ticket_ai_resolve(ticket_id=ticket.pk)
        human_ticket = TicketFactory(
            queue=queue,
            customer=person,
            subject="I forgot my password",
            body="How do I reset my password? I cannot log in.",
        )
        ticket_suggest_reply(ticket_id=human_ticket.pk)
    written = [
        *Comment.objects.exclude(ticket__customer=customer).values_list("body", flat=True),
        *Ticket.objects.exclude(customer=customer).values_list("suggested_reply", flat=True),
        *AIResolutionAttempt.objects.values_list("draft", flat=True),
    ]
    assert written and not [text for text in written if "RST-48213" in text or "1234567" in text]


def test_claude_answers_carrying_another_customers_details_are_refused(
    ai_queue, ai_agent, human, customer, other_customer, claude
):
    _alice_was_answered_personally(ai_queue, customer)
    server = claude(PERSONAL, 0.97)  # as if the model had seen Alice's reply somewhere
    ticket = new_ticket(ai_queue, other_customer)

    attempt = ticket_ai_resolve(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert attempt.action == AIAction.HANDOFF and attempt.draft == ""
    assert {"RST-48213", "+49 30 1234567"} <= set(attempt.context["refused"])
    assert not ticket.comments.exists() and ticket.suggested_reply == ""
    assert ticket.assigned_agent == human
    assert not Notification.objects.filter(event="ticket.reply").exists()
    # the prompt carried no other customer's conversation
    assert "RST-48213" not in server.requests[0]["body"].decode()


def test_a_customer_reply_to_the_ai_answer_reopens_the_ticket_to_a_person(
    ai_queue, ai_agent, human, customer, claude
):
    from journey.services import comment_add

    claude(RESET_REPLY, 0.95)
    ticket = new_ticket(ai_queue, customer)
    ticket_ai_resolve(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.assigned_agent == ai_agent

    comment_add(ticket=ticket, user=customer, body="That did not work, the link never came.")

    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.assigned_agent == human
    assert ticket.events.filter(kind="unassigned", before=ai_agent.name).exists()


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

    # the app's phone for an app ticket; mail to every customer with an address (CONTRACT.md:
    # "every public comment on a ticket whose customer has an e-mail address is mailed")
    assert backends(app_ticket) == {"fcm", "email"}
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


def test_tickets_whose_ai_run_was_lost_go_to_a_person(ai_queue, ai_agent, human, customer):
    from django_celery_beat.models import PeriodicTask

    from journey.services import ai_lost_tickets_return

    lost = new_ticket(ai_queue, customer)
    recent = new_ticket(ai_queue, customer)
    Ticket.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(minutes=11))

    assert ai_lost_tickets_return() == 1

    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.assigned_agent == human and lost.status == Status.ASSIGNED
    assert lost.events.filter(kind="unassigned", before=ai_agent.name).exists()
    assert recent.assigned_agent == ai_agent  # its run may still come
    assert ai_lost_tickets_return() == 0
    assert PeriodicTask.objects.get(task="journey.tasks.ai_lost_tickets_return").enabled
