"""Saved views: filters checked and applied through the role-scoped list, who sees which view,
counts for all views in one query, and the pages that save, show and delete them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.tests.factories import AgentFactory
from core.exceptions import NotAllowed, NotFound
from journey.services import comment_add
from tickets.models import SlaState, Status
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory
from workspace import services
from workspace.filters import FilterError, filters_clean, filters_lenient
from workspace.models import SavedView
from workspace.selectors import filtered_tickets, saved_views_for, saved_views_with_counts

pytestmark = pytest.mark.django_db


def subjects(user, **filters) -> list[str]:
    return sorted(t.subject for t in filtered_tickets(user=user, filters=filters_clean(filters)))


def test_filters_are_checked_unknown_keys_ignored_and_status_defaults_to_open():
    assert filters_clean({"queue": " billing ", "colour": "red", "tag": ""}) == {
        "queue": "billing",
        "status": "open",
    }
    for bad in ({"status": "lost"}, {"priority": "extreme"}, {"sla": "late"}, {"assignee": "x"}):
        with pytest.raises(FilterError) as exc:
            filters_clean(bad)
        assert list(bad)[0] in exc.value.fields
    with pytest.raises(FilterError):
        filters_clean({"queue": ["a", "b"]})
    assert filters_lenient({"status": "any", "priority": "extreme", "tag": "vip"}) == {
        "status": "any",
        "tag": "vip",
    }


def test_each_filter_selects_what_it_says(manager, agent, queue):
    other = QueueFactory(slug="other")
    TicketFactory(queue=queue, subject="a-open-normal")
    TicketFactory(queue=other, subject="b-other-queue")
    TicketFactory(queue=queue, subject="c-urgent", priority="urgent")
    TicketFactory(queue=queue, subject="d-resolved", status=Status.RESOLVED)
    TicketFactory(queue=queue, subject="e-vip", tags=["vip", "refund"])
    TicketFactory(queue=queue, subject="f-breached", sla_resolution_state=SlaState.BREACHED)
    TicketFactory(queue=queue, subject="g-at-risk", breach_risk=0.8)
    TicketFactory(queue=queue, subject="h-mine", assigned_agent=agent, status=Status.ASSIGNED)
    TicketFactory(queue=queue, subject="i-printer", body="The printer is on fire.")

    everything_open = subjects(manager)
    assert "d-resolved" not in everything_open and len(everything_open) == 8
    assert "d-resolved" in subjects(manager, status="any")
    assert subjects(manager, status="resolved") == ["d-resolved"]
    assert subjects(manager, queue="other") == ["b-other-queue"]
    assert subjects(manager, priority="urgent") == ["c-urgent"]
    assert subjects(manager, tag="vip") == ["e-vip"]
    assert subjects(manager, tag="vi") == []  # a whole tag, not part of one
    assert subjects(manager, sla="breached") == ["f-breached"]
    assert subjects(manager, sla="at_risk") == ["g-at-risk"]
    assert "f-breached" not in subjects(manager, sla="on_track")
    assert subjects(agent.user, assignee="me") == ["h-mine"]
    assert subjects(manager, assignee="me") == []  # a manager without an agent profile
    assert subjects(manager, assignee=str(agent.pk)) == ["h-mine"]
    assert "h-mine" not in subjects(manager, assignee="none")
    assert subjects(manager, text="printer") == ["i-printer"]
    assert subjects(manager, queue=queue.slug, priority="urgent", status="open") == ["c-urgent"]


def test_filters_stay_within_what_the_agent_may_see(queue):
    limited = AgentFactory(all_queues=False)
    limited.queues.add(queue)
    TicketFactory(queue=queue, subject="mine to see", tags=["vip"])
    TicketFactory(queue=QueueFactory(slug="hidden"), subject="not mine", tags=["vip"])
    assert subjects(limited.user, tag="vip") == ["mine to see"]
    assert subjects(limited.user, queue="hidden") == []


def test_personal_views_are_their_owners_shared_ones_everyones(agent, manager):
    colleague = AgentFactory()
    mine = services.saved_view_create(
        user=agent.user, name="My urgent", filters={"priority": "urgent"}
    )
    shared = services.saved_view_create(
        user=manager, name="Team VIP", filters={"tag": "vip"}, shared=True
    )
    assert list(saved_views_for(user=agent.user)) == [shared, mine]
    assert list(saved_views_for(user=colleague.user)) == [shared]
    assert list(saved_views_for(user=UserFactory())) == []  # a customer

    with pytest.raises(NotAllowed):
        services.saved_view_create(user=agent.user, name="x", filters={}, shared=True)
    with pytest.raises(FilterError):
        services.saved_view_create(user=agent.user, name="My urgent", filters={})
    with pytest.raises(FilterError):
        services.saved_view_create(user=agent.user, name="bad", filters={"status": "lost"})
    with pytest.raises(NotAllowed):
        services.saved_view_create(user=UserFactory(), name="c", filters={})

    with pytest.raises(NotFound):  # a colleague's personal view does not exist for them
        services.saved_view_delete(user=colleague.user, view_id=mine.pk)
    with pytest.raises(NotAllowed):
        services.saved_view_delete(user=agent.user, view_id=shared.pk)
    services.saved_view_delete(user=agent.user, view_id=mine.pk)
    services.saved_view_delete(user=manager, view_id=shared.pk)
    assert not SavedView.objects.exists()


def test_counts_for_every_view_in_one_query(agent, manager, queue):
    limited = AgentFactory(all_queues=False)
    limited.queues.add(queue)
    TicketFactory(queue=queue, priority="urgent")
    TicketFactory(queue=queue, priority="urgent", status=Status.CLOSED)
    TicketFactory(queue=QueueFactory(slug="hidden"), priority="urgent", tags=["vip"])
    TicketFactory(queue=queue, tags=["vip"], body="refund please")
    services.saved_view_create(
        user=manager, name="Urgent", filters={"priority": "urgent"}, shared=True
    )
    services.saved_view_create(user=manager, name="VIP", filters={"tag": "vip"}, shared=True)
    services.saved_view_create(user=limited.user, name="Refunds", filters={"text": "refund"})

    with CaptureQueriesContext(connection) as queries:
        views = saved_views_with_counts(user=limited.user)
    counts = {v.name: v.count for v in views}
    assert counts == {"Urgent": 1, "VIP": 1, "Refunds": 1}
    assert len([q for q in queries if "tickets_ticket" in q["sql"]]) == 1
    assert {v.name: v.count for v in saved_views_with_counts(user=manager)} == {
        "Urgent": 2,
        "VIP": 2,
    }


def test_internal_note_words_do_not_count_in_a_text_view(agent, queue):
    ticket = TicketFactory(queue=queue, body="hello")
    comment_add(ticket=ticket, user=agent.user, body="walrus", internal=True)
    services.saved_view_create(user=agent.user, name="Walrus", filters={"text": "walrus"})
    assert [v.count for v in saved_views_with_counts(user=agent.user)] == [0]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


def test_save_show_and_delete_a_view_in_the_workspace(agent_client, agent, queue):
    TicketFactory(queue=queue, subject="Urgent one", priority="urgent")
    TicketFactory(queue=queue, subject="Calm one", priority="low")
    page = agent_client.get("/workspace/", {"view": "filter", "priority": "urgent"})
    assert page.status_code == 200
    assert [t.subject for t in page.context["tickets"]] == ["Urgent one"]
    assert b"Save as view" in page.content and b"shared with all agents" not in page.content

    saved = agent_client.post(
        "/workspace/views/", {"name": "<b>Hot</b>", "priority": "urgent", "status": "open"}
    )
    view = SavedView.objects.get()
    assert saved.status_code == 302 and saved["Location"].endswith(f"view=saved&id={view.pk}")
    assert view.filters == {"priority": "urgent", "status": "open"} and view.owner == agent.user

    shown = agent_client.get(saved["Location"])
    assert [t.subject for t in shown.context["tickets"]] == ["Urgent one"]
    html = shown.content.decode()
    assert "&lt;b&gt;Hot&lt;/b&gt;" in html and "<b>Hot</b>" not in html
    assert f'data-view-id="{view.pk}"' in html

    partial = agent_client.get("/workspace/list/", {"view": "saved", "id": view.pk})
    assert 'id="view-nav" hx-swap-oob="true"' in partial.content.decode()

    assert agent_client.post(f"/workspace/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_bad_filters_and_foreign_views_are_clear_errors(agent_client, manager):
    bad = agent_client.get("/workspace/", {"view": "filter", "status": "lost"})
    assert bad.status_code == 400 and b"status: Use one of" in bad.content
    personal = services.saved_view_create(user=manager, name="Mine", filters={})
    other = agent_client.get("/workspace/", {"view": "saved", "id": personal.pk})
    assert other.context["tickets"] == [] and b"No such view." in other.content
    refused = agent_client.post("/workspace/views/", {"name": "S", "shared": "on"}, follow=True)
    assert b"Only managers share views" in refused.content
    assert agent_client.post(f"/workspace/views/{personal.pk}/delete/").status_code == 302
    assert SavedView.objects.filter(pk=personal.pk).exists()
