"""The customer's account as an integration describes it (`account` in the ingestion webhook)."""

from decimal import Decimal

from ..models import CustomerAccount

MAX_EVENTS = 20


def customer_account_update(
    *,
    email: str,
    plan: str = "",
    tier: str = "",
    mrr: Decimal | None = None,
    billing_events: list[dict] | None = None,
) -> CustomerAccount:
    """Store what the integration sent, replacing what it sent before (one upsert)."""
    account, _ = CustomerAccount.objects.update_or_create(
        email=email.lower(),
        defaults={
            "plan": plan,
            "tier": tier,
            "mrr": mrr,
            "billing_events": list(billing_events or [])[:MAX_EVENTS],
        },
    )
    return account
