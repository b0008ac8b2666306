"""Helpers for the decision-policy tests: a stored ticket, and routing it with fakes."""

from routing.services import ticket_route
from routing.tests.fakes import NO_LLM, FakePredictor
from tickets.services import ticket_store


def new_ticket(customer, subject="I was charged twice", body="Please refund the invoice.", **kw):
    return ticket_store(subject=subject, body=body, channel="api", customer=customer, **kw).ticket


def route(ticket, predictor=None, llm=NO_LLM, **kw):
    log = ticket_route(ticket=ticket, predictor=predictor or FakePredictor(None), llm=llm, **kw)
    ticket.refresh_from_db()
    return log
