"""CSAT is sent with the resolution (journey/pipeline.py, after a status change): resolving a
ticket mails its customer one-click rating links that work without signing in, and a ticket
resolved again after a reopen asks again."""

import re

import pytest
from django.core import mail
from django.test import Client

from journey.services import ticket_change_status

pytestmark = pytest.mark.django_db


def test_resolution_mails_rating_links_that_record_the_score(
    ticket, agent, django_capture_on_commit_callbacks
):
    ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, user=agent.user, status="resolved")

    sent = [m for m in mail.outbox if m.to == [ticket.customer_email]]
    assert len(sent) == 1
    links = dict(re.findall(r"(\d)/5: (\S+)", sent[0].body))
    assert sorted(links) == ["1", "2", "3", "4", "5"]

    response = Client().post(links["4"])
    assert response.status_code in (200, 302)
    ticket.refresh_from_db()
    assert ticket.csat_score == 4


def test_a_ticket_resolved_again_after_a_reopen_asks_again(
    ticket, agent, customer, django_capture_on_commit_callbacks
):
    from journey.services import comment_add

    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
        ticket_change_status(ticket=ticket, user=agent.user, status="resolved")
        comment_add(ticket=ticket, user=customer, body="Still broken")  # reopens
        ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
        ticket_change_status(ticket=ticket, user=agent.user, status="resolved")
    assert len([m for m in mail.outbox if m.to == [ticket.customer_email]]) == 2
