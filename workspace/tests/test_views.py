"""The workspace and customer pages, through the test client: access, lists, actions, escaping."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agents.tests.factories import AgentFactory
from journey import services
from tickets.access import status_token_make
from tickets.models import Channel, Comment, Status, Ticket
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


HX = {"HTTP_HX_REQUEST": "true"}


def test_login_page_and_sign_in_lands_agent_on_workspace(client, agent):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b'for="id_password"' in page.content
    response = client.post(
        "/accounts/login/",
        {"username": agent.user.username, "password": "pass12345", "next": "/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/workspace/"


def test_workspace_needs_sign_in_and_staff(client, customer):
    assert client.get("/workspace/").status_code == 302
    client.force_login(customer)
    assert client.get("/workspace/").status_code == 403


def test_lists_show_the_right_tickets(agent_client, agent, queue):
    mine = TicketFactory(queue=queue, assigned_agent=agent, status=Status.ASSIGNED, subject="Mine")
    free = TicketFactory(queue=queue, subject="Nobody's")
    escalated = TicketFactory(
        queue=queue, status=Status.ESCALATED, escalation_level=1, subject="Hot"
    )
    now = timezone.now()
    later = TicketFactory(
        queue=queue,
        subject="Later risk",
        breach_risk=0.7,
        sla_resolution_due=now + timedelta(hours=5),
        sla_first_response_due=now + timedelta(hours=4),
    )
    sooner = TicketFactory(
        queue=queue,
        subject="Sooner risk",
        breach_risk=0.6,
        sla_resolution_due=now + timedelta(hours=1),
    )
    TicketFactory(queue=queue, subject="Done", status=Status.RESOLVED)

    def subjects(view, **params):
        response = agent_client.get("/workspace/list/", {"view": view, **params})
        assert response.status_code == 200
        return [t.subject for t in response.context["tickets"]]

    assert subjects("mine") == [mine.subject]
    assert free.subject in subjects("unassigned") and mine.subject not in subjects("unassigned")
    assert subjects("escalated") == [escalated.subject]
    assert subjects("at_risk") == [sooner.subject, later.subject]
    assert "Done" not in subjects("queue", queue=queue.slug)
    assert subjects("search", q="Sooner") == [sooner.subject]
    assert subjects("search", q=str(mine.pk)) == [mine.subject]


def test_agent_sees_only_their_queues(client, queue):
    other = QueueFactory(slug="other")
    limited = AgentFactory(all_queues=False)
    limited.queues.add(queue)
    hidden = TicketFactory(queue=other, subject="Elsewhere")
    client.force_login(limited.user)
    assert client.get(f"/workspace/tickets/{hidden.pk}/").status_code == 404
    listed = client.get("/workspace/list/", {"view": "search", "q": "Elsewhere"})
    assert list(listed.context["tickets"]) == []


def test_ticket_page_shows_notes_context_and_escapes_text(agent_client, agent, ticket):
    ticket.subject = "<script>alert('s')</script>"
    ticket.body = "<img src=x onerror=alert(1)>"
    ticket.context = {"platform": "ios", "app_version": "2.9.1", "last_screen": "Checkout"}
    ticket.routing_reason = "matched rule: payment words"
    ticket.confidence = 0.82
    ticket.suggested_reply = "Hello, please try again."
    ticket.save()
    services.comment_add(ticket=ticket, user=agent.user, body="note to self", internal=True)
    page = agent_client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'class="msg from-agent internal"' in page and "Internal note" in page
    assert "Checkout" in page and "2.9.1" in page
    assert "matched rule: payment words" in page and "82%" in page
    assert "Hello, please try again." in page


def test_reply_and_internal_note_through_htmx(agent_client, agent, ticket):
    response = agent_client.post(
        f"/workspace/tickets/{ticket.pk}/comment/", {"body": "We are on it"}, **HX
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "helpdesk:ticket"
    agent_client.post(
        f"/workspace/tickets/{ticket.pk}/comment/", {"body": "psst", "internal": "on"}, **HX
    )
    comments = list(Comment.objects.filter(ticket=ticket).values_list("body", "internal"))
    assert comments == [("We are on it", False), ("psst", True)]
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_empty_reply_is_an_inline_error(agent_client, ticket):
    response = agent_client.post(f"/workspace/tickets/{ticket.pk}/comment/", {"body": ""}, **HX)
    assert response.status_code == 400
    assert b"field-error" in response.content and not Comment.objects.exists()


def test_status_change_and_illegal_transition_shown_inline(agent_client, ticket):
    ok = agent_client.post(
        f"/workspace/tickets/{ticket.pk}/status/", {"status": "in_progress"}, **HX
    )
    assert ok.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    # Offered transitions follow the lifecycle: from in_progress, not back to open.
    assert b'value="pending_customer"' in ok.content and b'value="open"' not in ok.content
    bad = agent_client.post(f"/workspace/tickets/{ticket.pk}/status/", {"status": "closed"}, **HX)
    assert bad.status_code == 400 and b"field-error" in bad.content


def test_conflicting_change_shows_409_message(agent_client, agent, ticket):
    services.ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
    services.ticket_change_status(ticket=ticket, user=agent.user, status="resolved")
    services.ticket_change_status(ticket=ticket, user=agent.user, status="closed")
    response = agent_client.post(f"/workspace/tickets/{ticket.pk}/comment/", {"body": "hi"}, **HX)
    assert response.status_code == 409 and b"closed" in response.content


def test_reassign_and_correct(agent_client, agent, ticket):
    target = QueueFactory(slug="billing", name="Billing")
    other = AgentFactory()
    response = agent_client.post(
        f"/workspace/tickets/{ticket.pk}/reassign/",
        {"reassign-agent": other.pk, "reassign-queue": target.pk, "reassign-reason": "billing"},
        **HX,
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.queue == target and ticket.assigned_agent == other
    missing_reason = agent_client.post(
        f"/workspace/tickets/{ticket.pk}/reassign/", {"reassign-agent": agent.pk}, **HX
    )
    assert missing_reason.status_code == 400
    agent_client.post(
        f"/workspace/tickets/{ticket.pk}/correct/", {"correct-priority": "urgent"}, **HX
    )
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    assert ticket.events.filter(kind="corrected", field="priority").exists()


def test_a_limited_agent_sending_a_ticket_away_lands_on_their_list(client, ticket, queue):
    limited = AgentFactory(all_queues=False)
    limited.queues.add(queue)
    billing = QueueFactory(slug="billing", name="Billing")
    client.force_login(limited.user)
    url = f"/workspace/tickets/{ticket.pk}/correct/"
    response = client.post(url, {"correct-queue": billing.pk}, **HX)
    assert response.status_code == 200 and response["HX-Redirect"] == "/workspace/"
    ticket.refresh_from_db()
    assert ticket.queue == billing
    ticket.queue = queue
    ticket.save()
    response = client.post(url, {"correct-queue": billing.pk})  # without JavaScript
    assert response.status_code == 302 and response.url == "/workspace/"


def test_customer_opens_a_ticket_and_sees_only_public_comments(customer_client, customer, agent):
    response = customer_client.post("/support/new/", {"subject": "App crashes", "body": "On start"})
    ticket = Ticket.objects.get()
    assert response.url == f"/support/tickets/{ticket.pk}/"
    assert ticket.channel == Channel.WEB and ticket.customer == customer
    services.comment_add(ticket=ticket, user=agent.user, body="INTERNAL-XYZ", internal=True)
    services.comment_add(ticket=ticket, user=agent.user, body="Public answer")
    page = customer_client.get(response.url).content.decode()
    assert "Public answer" in page and "INTERNAL-XYZ" not in page
    part = customer_client.get(f"/support/tickets/{ticket.pk}/conversation/").content.decode()
    assert "Public answer" in part and "INTERNAL-XYZ" not in part
    customer_client.post(f"/support/tickets/{ticket.pk}/reply/", {"body": "Thanks"}, **HX)
    assert ticket.comments.filter(author_kind="customer", body="Thanks").exists()


def test_customer_cannot_see_someone_elses_ticket(customer_client, other_customer, queue):
    theirs = TicketFactory(customer=other_customer, queue=queue)
    assert customer_client.get(f"/support/tickets/{theirs.pk}/").status_code == 404
    assert (
        customer_client.post(f"/support/tickets/{theirs.pk}/reply/", {"body": "x"}).status_code
        == 404
    )


def test_anonymous_visitor_gets_a_signed_status_link(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes out after commit
        response = client.post(
            "/support/new/", {"email": "visitor@example.com", "subject": "Hi", "body": "Help"}
        )
    ticket = Ticket.objects.get()
    assert ticket.customer is None and ticket.customer_email == "visitor@example.com"
    assert response.status_code == 302 and "/support/s/" in response.url
    (to_visitor,) = [m for m in mail.outbox if m.to == ["visitor@example.com"]]
    assert response.url.split("testserver")[-1] in to_visitor.body
    services.comment_add(ticket=ticket, user=agent.user, body="SECRET", internal=True)
    page = client.get(response.url).content.decode()
    assert "Help" in page and "SECRET" not in page
    forged = status_token_make(ticket_id=ticket.pk)[:-2] + "xx"
    assert client.get(f"/support/s/{forged}/").status_code == 404


def test_public_form_requires_email_for_visitors(client):
    response = client.post("/support/new/", {"subject": "Hi", "body": "Help"})
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert b"field-error" in response.content


def test_home_sends_each_role_to_its_place(client, agent):
    assert client.get("/").url == "/support/new/"
    client.force_login(UserFactory())
    assert client.get("/").url == "/support/tickets/"
    client.force_login(agent.user)
    assert client.get("/").url == "/workspace/"


def test_ticket_page_lists_the_customers_previous_tickets_only(agent_client, customer, queue):
    current = TicketFactory(customer=customer, queue=queue, subject="Current one")
    TicketFactory(customer=customer, queue=queue, subject="Older problem")
    TicketFactory(customer=None, customer_email=customer.email, queue=queue, subject="By mail")
    TicketFactory(queue=queue, subject="Someone else")
    response = agent_client.get(f"/workspace/tickets/{current.pk}/")
    assert sorted(t.subject for t in response.context["previous"]) == ["By mail", "Older problem"]


def test_list_refresh_also_updates_the_queue_counts(agent_client, queue):
    TicketFactory(queue=queue)
    TicketFactory(queue=queue, status=Status.RESOLVED)
    html = agent_client.get("/workspace/list/", {"view": "open"}, **HX).content.decode()
    assert 'id="queue-nav" hx-swap-oob="true"' in html
    assert 'aria-label="1 open"' in html


def test_ticket_page_shows_the_ai_agents_log(agent_client, ticket, queue, admin_client):
    from agents.models import AIAction, AIResolutionAttempt

    similar = TicketFactory(queue=queue, subject="Earlier <b>reset</b> question")
    attempt = AIResolutionAttempt.objects.create(
        ticket=ticket,
        source="llm",
        draft="",
        confidence=0.0,
        action=AIAction.HANDOFF,
        context={
            "sources": [{"saved_reply_id": 1, "name": "Password reset", "similarity": 0.91}],
            "similar": [
                {"ticket_id": str(similar.pk), "subject": similar.subject, "similarity": 0.8}
            ],
            "refused": ["RST-48213"],
        },
    )
    page = agent_client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert "AI agent" in page and "handoff" in page and "Password reset (0.91)" in page
    assert f'href="/workspace/tickets/{similar.pk}/"' in page
    assert "Earlier &lt;b&gt;reset&lt;/b&gt; question" in page  # a link, escaped
    assert "Draft withheld: it named 1 detail" in page and "RST-48213" not in page
    # the whole attempt in the admin's resolution log
    admin_page = admin_client.get(
        f"/admin/agents/airesolutionattempt/{attempt.pk}/change/"
    ).content.decode()
    assert "Password reset (0.91)" in admin_page and "RST-48213" in admin_page


# --- the public form is no mail relay (issue #17) ------------------------------------------


@pytest.fixture
def fresh_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _visitor_post(client, *, email="victim@example.com", subject="Hi", **extra):
    return client.post(
        "/support/new/",
        {"subject": subject, "body": "Help", "email": email},
        **extra,
    )


def test_the_mail_to_a_visitor_never_echoes_what_they_wrote(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    subject = "Your account is locked: log in at evil.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = _visitor_post(client, subject=subject)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["victim@example.com"]
    assert sent.subject == "We received your request"
    assert "evil.example" not in sent.subject + sent.body
    assert "/support/s/" in sent.body  # the status link


def test_the_public_form_is_throttled_per_address(client, settings, fresh_limits):
    settings.HELPDESK_WEBFORM_PER_ADDRESS = 3
    for number in range(3):
        other_client = {"REMOTE_ADDR": f"10.0.0.{number}"}
        assert _visitor_post(client, **other_client).status_code == 302
    refused = _visitor_post(client, REMOTE_ADDR="10.0.0.99")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many requests" in refused.content and b'role="alert"' in refused.content
    assert Ticket.objects.count() == 3
    assert _visitor_post(client, email="someone@example.com").status_code == 302


def test_the_public_form_is_throttled_per_client(client, settings, fresh_limits):
    settings.HELPDESK_WEBFORM_PER_CLIENT = 5
    answers = [_visitor_post(client, email=f"v{n}@example.com").status_code for n in range(8)]
    assert answers == [302] * 5 + [429] * 3
    assert Ticket.objects.count() == 5
    assert _visitor_post(client, email="x@example.com", REMOTE_ADDR="10.1.1.1").status_code == 302


def test_search_finds_by_ref_email_and_words_with_highlighted_snippets(agent_client, queue):
    wanted = TicketFactory(
        queue=queue,
        subject="Checkout <b>fails</b>",
        body="<script>x()</script> The payment page shows an error after the voucher step.",
        customer_email="Dana@Example.com",
    )
    TicketFactory(queue=queue, subject="Something else", body="Nothing to see.")

    def listed(q):
        response = agent_client.get("/workspace/list/", {"view": "search", "q": q}, **HX)
        assert response.status_code == 200
        return response

    assert [t.pk for t in listed(wanted.ref).context["tickets"]] == [wanted.pk]
    assert [t.pk for t in listed(wanted.ref.lower()).context["tickets"]] == [wanted.pk]
    assert [t.pk for t in listed("Dana@Example.com").context["tickets"]] == [wanted.pk]
    page = listed("voucher").content.decode()
    assert "<mark>voucher</mark>" in page
    assert "<script>x()" not in page and "&lt;b&gt;" in page
    assert listed("nothing-matches-this").context["tickets"] == []
