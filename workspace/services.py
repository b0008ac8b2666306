"""Saving and deleting an agent's named views. Personal views belong to their owner; shared
ones are made (and removed) by managers, and every agent sees them."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from core.exceptions import NotAllowed, NotFound
from core.roles import user_role

from .filters import FilterError, filters_clean
from .models import SavedView
from .selectors import saved_view_get

MAX_VIEWS = 50


def saved_view_create(*, user: User, name: str, filters: dict, shared: bool = False) -> SavedView:
    role = user_role(user)
    if role not in ("agent", "manager"):
        raise NotAllowed("Only agents keep views.")
    if shared and role != "manager":
        raise NotAllowed("Only managers share views with every agent.")
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise FilterError("Give the view a name of 1 to 80 characters.", fields={"name": []})
    clean = filters_clean(filters)
    if SavedView.objects.filter(owner=user).count() >= MAX_VIEWS:
        raise FilterError(f"You have {MAX_VIEWS} views already; delete one first.")
    try:
        with transaction.atomic():
            return SavedView.objects.create(owner=user, name=name, shared=shared, filters=clean)
    except IntegrityError:
        raise FilterError(
            f"You have a view named '{name}' already.", fields={"name": ["Already taken."]}
        ) from None


def saved_view_delete(*, user: User, view_id: int) -> None:
    """The owner deletes their view; a manager may also delete any shared one."""
    view = saved_view_get(user=user, view_id=view_id)
    if view is None:
        raise NotFound("No such view.")
    if view.owner_id != user.pk and not (view.shared and user_role(user) == "manager"):
        raise NotAllowed("Only its owner or a manager deletes a shared view.")
    view.delete()
