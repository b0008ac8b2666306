"""Filtered lists and saved views in the workspace: the filter a list shows, saving it as a
named view, deleting one. Each action makes one service call."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError

from .. import services
from ..filters import KEYS, FilterError, filters_clean, filters_lenient
from ..selectors import saved_view_get
from .common import staff_required


def list_filters(request) -> dict:
    """The filters of a `filter` list (from the query string, checked) or of a saved view
    (`id`; its stored filters, leniently: a deleted queue is dropped, not an error)."""
    if request.GET.get("view") == "saved":
        view = saved_view_get(user=request.user, view_id=request.GET.get("id", ""))
        if view is None:
            return {"filters": {}, "missing": True}
        return {"filters": filters_lenient(view.filters), "saved_view": view}
    raw = {key: request.GET.get(key, "") for key in KEYS}
    try:
        return {"filters": filters_clean(raw)}
    except FilterError as exc:
        return {"filters": filters_lenient(raw), "filter_error": exc.message}


def _list_url(**params) -> str:
    return f"{reverse('workspace:list')}?{urlencode(params)}"


@staff_required
@require_POST
def view_save(request):
    filters = {key: request.POST.get(key, "") for key in KEYS}
    try:
        view = services.saved_view_create(
            user=request.user,
            name=request.POST.get("name", ""),
            filters=filters,
            shared=request.POST.get("shared") == "on",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_list_url(view="filter", **{k: v for k, v in filters.items() if v}))
    return redirect(_list_url(view="saved", id=view.pk))


@staff_required
@require_POST
def view_delete(request, view_id: int):
    try:
        services.saved_view_delete(user=request.user, view_id=view_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_list_url(view="saved", id=view_id))
    return redirect(reverse("workspace:list"))
