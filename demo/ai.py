"""The demo's AI-resolved queue: password reset links and invoice copies, answered by the AI
agent from saved replies, with a few tickets that show its three bands (answered and resolved,
answered and sent for review, handed to a person)."""

from django.contrib.auth.models import User

from agents.accounts import user_role_ensure
from agents.models import Agent, AgentKind, SavedReply
from journey import services
from routing.models import RoutingRule
from tickets.models import Channel, Queue, Ticket

QUEUE = {
    "slug": "self-service",
    "name": "Self-service",
    "description": "Password reset links and invoice copies: answered by the AI agent from the "
    "saved replies; anything else goes to a person.",
}
AI_AGENT_EMAIL = "ai.agent@example.com"
RULE = (
    "Password resets and invoice copies go to self-service",
    "subject contains [forgot my password, password reset, reset my password, copy of my "
    "invoice, invoice copy, Passwort vergessen, Rechnungskopie] and not text contains [hacked, "
    "stolen, fraud, gehackt]",
)
SAVED_REPLIES = [
    (
        "Password reset link",
        "en",
        "I forgot my password. How do I reset my password? I cannot log in.\n"
        "Password reset link\nI need a new password",
        "Hi {{ customer_name }},\n\nyou can set a new password at any time: on the sign-in page "
        "choose \u201cForgot password?\u201d and enter the e-mail address of your account. The "
        "link arrives within a few minutes and works for 24 hours; check the spam folder if it "
        "does not show up.\n\nYour request {{ ticket_ref }} can be followed here: "
        "{{ status_link }}\n\n{{ agent_name }}",
    ),
    (
        "Invoice copy",
        "en",
        "Please send me a copy of my invoice, I need it as PDF.\nInvoice copy\n"
        "Where can I download my invoices?",
        "Hi {{ customer_name }},\n\nevery invoice is in your account under Billing \u2192 "
        "Invoices, where each one downloads as a PDF. Invoices older than 24 months are sent on "
        "request by the billing team: reply to this message and they will take it from "
        "there.\n\nYour request {{ ticket_ref }}: {{ status_link }}\n\n{{ agent_name }}",
    ),
    (
        "Passwort zur\u00fccksetzen",
        "de",
        "Passwort vergessen. Wie setze ich mein Passwort zur\u00fcck?\n"
        "Ich kann mich nicht anmelden.",
        "Hallo {{ customer_name }},\n\nauf der Anmeldeseite unter \u201ePasswort vergessen?\u201c "
        "die E-Mail-Adresse des Kontos eingeben: Der Link kommt in wenigen Minuten und gilt 24 "
        "Stunden.\n\nIhre Anfrage {{ ticket_ref }}: {{ status_link }}\n\n{{ agent_name }}",
    ),
]
# (subject, body): two match a saved reply closely (answered and resolved), one only loosely
# (handed to a person)
TICKETS = [
    ("I forgot my password", "How do I reset my password? I cannot log in."),
    ("Copy of my invoice", "Please send me a copy of my invoice, I need it as PDF."),
    (
        "Password reset link expired twice",
        "The reset link says it has expired although I clicked it right away, twice now.",
    ),
]


def demo_ai_seed(*, customers: list[User]) -> dict:
    """The queue, its AI agent, saved replies and routing rule; then the demo tickets through
    the journey, each answered by the AI agent. Idempotent."""
    queue, _ = Queue.objects.update_or_create(
        slug=QUEUE["slug"],
        defaults={
            "name": QUEUE["name"],
            "description": QUEUE["description"],
            "default_priority": "normal",
            "ai_resolution_enabled": True,
            "is_active": True,
        },
    )
    user = user_role_ensure(
        email=AI_AGENT_EMAIL,
        role="agent",
        queue_slugs=[queue.slug],
        first_name="Ada",
        last_name="(AI agent)",
    )
    Agent.objects.filter(user=user).update(kind=AgentKind.AI, languages=["en", "de"])
    # the people the AI agent hands over to: those of account access and billing
    for person in Agent.objects.filter(
        kind=AgentKind.HUMAN, queues__slug__in=["account-access", "billing"]
    ).distinct():
        person.queues.add(queue)
    for name, language, match_text, body in SAVED_REPLIES:
        SavedReply.objects.update_or_create(
            name=name,
            queue=queue,
            defaults={"language": language, "match_text": match_text, "body": body},
        )
    name, conditions = RULE
    RoutingRule.objects.update_or_create(
        name=name,
        defaults={"order": 5, "conditions": conditions, "enabled": True, "set_queue": queue},
    )
    made = 0
    for number, (subject, body) in enumerate(TICKETS):
        result = services.ticket_submit(
            subject=subject,
            body=body,
            channel=Channel.WEB,
            customer=customers[number % len(customers)],
            external_id=f"demo-ai-{number}",
            language="en",
        )
        made += result.created
        # the run is a job after commit; the demo shows its outcome now (a repeat does nothing)
        services.ticket_ai_resolve(ticket_id=result.ticket.pk)
    return {"queue": queue, "tickets": made, "handled": _handled(queue)}


def _handled(queue: Queue) -> dict[str, int]:
    rows = Ticket.objects.filter(queue=queue, ai_attempts__isnull=False)
    return {
        action: rows.filter(ai_attempts__action=action).count()
        for action in ("resolved", "review", "handoff")
    }
