"""`demo_seed`: the whole demo, idempotent; `--force` redoes the tickets."""

from dataclasses import dataclass, field

from django.core.management import call_command

from core.models import ApiToken
from core.tokens import token_issue, tokens_revoke
from tickets.models import Ticket

from . import setup
from .ai import demo_ai_seed
from .tickets import DEMO_PREFIX, demo_tickets_delete, demo_tickets_seed


@dataclass
class Login:
    role: str
    username: str
    password: str
    token: str


@dataclass
class SeedResult:
    created_tickets: int = 0
    skipped: bool = False
    notes: list[str] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)


def demo_ticket_count() -> int:
    return Ticket.objects.filter(external_id__startswith=DEMO_PREFIX).count()


def demo_seed(
    *, force: bool = False, tickets: int = 220, train: bool = True, stdout=None
) -> SeedResult:
    result = SeedResult()
    queues = setup.demo_reference_seed()
    users = setup.demo_users_seed(queues=queues)
    existing = demo_ticket_count()
    # A run that died half-way (fewer than 90 % of the tickets) is redone, not kept.
    if existing >= 0.9 * tickets and not force:
        result.skipped = True
        result.notes.append("Demo tickets already exist (use --force to recreate them).")
    else:
        if existing:
            demo_tickets_delete()
        outcome = demo_tickets_seed(
            customers=users["customers"], manager=users["manager"], count=tickets, stdout=stdout
        )
        result.created_tickets = outcome["count"] - outcome["failures"]
        if train:
            result.notes.append(_train_classifier())
    handled = demo_ai_seed(customers=users["customers"])["handled"]
    result.notes.append(
        "Self-service queue (AI agent): {resolved} resolved, {review} sent for review, "
        "{handoff} handed to a person.".format(**handled)
    )
    agent = users["agents"][0]
    for role, user, username, password in [
        ("admin", users["admin"], setup.ADMIN_USERNAME, setup.ADMIN_PASSWORD),
        ("manager", users["manager"], users["manager"].username, setup.DEMO_PASSWORD),
        ("agent", agent.user, agent.user.username, setup.DEMO_PASSWORD),
        ("customer", users["customers"][0], users["customers"][0].username, setup.DEMO_PASSWORD),
    ]:
        # keys are kept hashed: each run prints a fresh one and retires the one it printed before
        tokens_revoke(tokens=ApiToken.objects.filter(user=user, name="demo"))
        token = token_issue(user=user, name="demo")
        result.logins.append(Login(role=role, username=username, password=password, token=token))
    return result


def _train_classifier() -> str:
    """Train the local classifier on the fresh history, if that command exists and works."""
    try:
        call_command("train_classifier")
    except Exception as exc:  # a demo without a trained model still works; say why
        return f"Classifier not trained: {type(exc).__name__}: {exc}"
    return "Classifier trained on the demo history."
