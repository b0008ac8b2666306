"""Users in a help desk role with an API token: used by `issue_token`, `seed_demo` and `make run`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from agents.models import Agent
from core.roles import managers_group
from core.tokens import token_issue
from tickets.models import Queue

ROLES = ("customer", "agent", "manager")


class AccountError(Exception):
    pass


@transaction.atomic
def user_role_ensure(
    *,
    email: str,
    role: str,
    queue_slugs: list[str] | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    agent_defaults: dict | None = None,
):
    """The user with this e-mail, created if needed, with `role` (never taking one away)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AccountError(f"'{email}' is not a valid e-mail address.") from exc
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}': use one of {', '.join(ROLES)}.")
    queue_slugs = list(dict.fromkeys(queue_slugs or []))
    if queue_slugs and role != "agent":
        raise AccountError("--queue applies to agents only.")
    queues = list(Queue.objects.filter(slug__in=queue_slugs))
    missing = sorted(set(queue_slugs) - {q.slug for q in queues})
    if missing:
        known = ", ".join(Queue.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise AccountError(f"Unknown queue(s): {', '.join(missing)} (known queues: {known}).")

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if role == "manager":
        user.groups.add(managers_group())
    if role == "agent":
        defaults = {"all_queues": not queues, **(agent_defaults or {})}
        agent, agent_created = Agent.objects.get_or_create(user=user, defaults=defaults)
        if queues:
            agent.queues.set(queues)
            if agent.all_queues:
                agent.all_queues = False
                agent.save(update_fields=["all_queues"])
        elif not agent_created and not agent.all_queues and not agent.queues.exists():
            agent.all_queues = True
            agent.save(update_fields=["all_queues"])
    return user


def user_token_issue(
    *, email: str, role: str, queue_slugs: list[str] | None = None, password: str | None = None
) -> str:
    user = user_role_ensure(email=email, role=role, queue_slugs=queue_slugs, password=password)
    return token_issue(user=user, name="issue_token")
