"""Small labelled histories for classifier tests, made with the ticket factories."""

import random

import pytest
from django.utils import timezone

from routing.classifier import local
from tickets.models import Status
from tickets.tests.factories import CategoryFactory, QueueFactory, TicketFactory

VOCABULARY = {
    "billing": "invoice charged refund payment card bill receipt vat",
    "tech": "crash error login password app bug screen freeze",
    "sales": "price quote demo plan upgrade licence discount trial",
}


def sentence(queue: str, rng: random.Random, words: int = 7) -> str:
    vocab = VOCABULARY[queue].split()
    return " ".join(rng.choice(vocab) for _ in range(words))


def make_history(
    *,
    per_queue: int = 30,
    seed: int = 0,
    queue_names: dict[str, str] | None = None,
    status: str = Status.RESOLVED,
) -> list:
    """Resolved tickets whose words say which queue they belong to; `queue_names` renames a
    topic's queue (e.g. {"billing": "payments"}) to make a history with different labels."""
    rng = random.Random(seed)
    names = {topic: topic for topic in VOCABULARY} | (queue_names or {})
    tickets = []
    for topic, name in names.items():
        queue = QueueFactory(slug=name, name=name.title())
        category = CategoryFactory(slug=f"{name}-issue", name=f"{name} issue")
        for i in range(per_queue):
            tickets.append(
                TicketFactory(
                    subject=sentence(topic, rng, 4),
                    body=sentence(topic, rng),
                    queue=queue,
                    category=category,
                    priority="high" if topic == "tech" else "normal",
                    status=status,
                    customer=None,
                    created_at=timezone.now() - timezone.timedelta(minutes=10_000 - i),
                )
            )
    return tickets


@pytest.fixture
def model_dir(settings, tmp_path):
    """Models go to a fresh directory and every prediction re-checks the active version."""
    settings.HELPDESK_MODEL_DIR = tmp_path / "models"
    settings.HELPDESK_MODEL_CHECK_SECONDS = 0
    local.invalidate()
    yield settings.HELPDESK_MODEL_DIR
    local.invalidate()
