"""No input yields a 500: random nasty values in every field of the webhook and the API."""

import json
import random

import pytest

from tickets.models import Ticket

from .webhook_helpers import payload, post_raw

pytestmark = pytest.mark.django_db

NASTY = [
    None,
    True,
    False,
    0,
    -1,
    2**70,
    1.5,
    float("inf"),
    "",
    " ",
    "\u0000",
    "\ud800",
    "é" * 300,
    "x" * 70_000,
    "<script>x</script>",
    "<p></p>",
    "a@b",
    "A@EXAMPLE.COM",
    [],
    [1, "a"],
    {},
    {"platform": "ios"},
    {"session_events": [None, {"a": [1] * 50}]},
    [[[[[]]]]],
    "NaN",
    {"previous_tickets_count": 10**20},
    {"user_id": {"x": 1}},
    {"locale": "zz_ZZ\u0000"},
]
FIELDS = ["external_id", "channel", "customer_email", "subject", "body", "context"]


def mutate(rng: random.Random, base: dict) -> dict:
    data = dict(base)
    for field in rng.sample(FIELDS + ["extra"], rng.randint(1, 4)):
        if rng.random() < 0.15:
            data.pop(field, None)
        else:
            data[field] = rng.choice(NASTY)
    return data


def test_webhook_never_500s(client, settings):
    settings.HELPDESK_WEBHOOK_MAX_BYTES = 200_000
    rng = random.Random(20261126)
    for _ in range(150):
        data = mutate(rng, payload(external_id=f"fuzz-{rng.random()}"))
        raw = json.dumps(data, allow_nan=True).encode("utf-8", "surrogatepass")
        response = post_raw(client, raw)
        assert response.status_code in {200, 201, 400, 413}, (data, response.content)
        assert response["Content-Type"].startswith("application/json")


def test_api_create_and_comment_never_500(api, customer, agent):
    rng = random.Random(7)
    owner, staff = api(customer), api(agent.user)
    for _ in range(80):
        data = mutate(rng, {"subject": "s", "body": "b", "context": {"platform": "ios"}})
        raw = json.dumps(data, allow_nan=True).encode("utf-8", "surrogatepass")
        response = owner.generic("POST", "/api/v1/tickets/", raw, content_type="application/json")
        assert response.status_code in {201, 400, 413}, (data, response.content)
    ticket = Ticket.objects.filter(customer=customer).first()
    assert ticket is not None
    url = f"/api/v1/tickets/{ticket.pk}/"
    for _ in range(60):
        body = {"body": rng.choice(NASTY), "internal": rng.choice(NASTY)}
        raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
        for client, path in [(owner, "comments/"), (staff, "comments/")]:
            response = client.generic("POST", url + path, raw, content_type="application/json")
            assert response.status_code in {201, 400, 403, 409}, (body, response.content)
        for path, key in [("status/", "status"), ("reassign/", "agent"), ("correct/", "queue")]:
            data = {key: rng.choice(NASTY), "reason": rng.choice(NASTY)}
            raw = json.dumps(data, allow_nan=True).encode("utf-8", "surrogatepass")
            response = staff.generic("POST", url + path, raw, content_type="application/json")
            assert response.status_code in {200, 400, 409}, (path, data, response.content)
