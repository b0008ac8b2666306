"""Who a user is to the help desk. Roles are derived, not stored twice:
a manager is a superuser or in the `managers` group, an agent has an agent profile,
anyone else signed in is a customer."""

from typing import Literal

from django.contrib.auth.models import AnonymousUser, Group

Role = Literal["anonymous", "customer", "agent", "manager"]
MANAGERS_GROUP = "managers"


def user_role(user) -> Role:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return "anonymous"
    cached = getattr(user, "_helpdesk_role", None)
    if cached:
        return cached
    role: Role
    if user.is_superuser or user.groups.filter(name=MANAGERS_GROUP).exists():
        role = "manager"
    elif _agent_profile(user) is not None:
        role = "agent"
    else:
        role = "customer"
    user._helpdesk_role = role
    return role


def _agent_profile(user):
    try:
        return user.agent_profile
    except Exception:  # RelatedObjectDoesNotExist
        return None


def agent_profile(user):
    return _agent_profile(user)


def is_staff_role(user) -> bool:
    return user_role(user) in ("agent", "manager")


def managers_group() -> Group:
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    return group
