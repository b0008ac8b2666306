"""Bulk actions from the workspace list: the ticked tickets, one action, a result per ticket
(the same service the API calls)."""

from django.shortcuts import render
from django.views.decorators.http import require_POST

from agents.selectors import macro_list
from core.exceptions import ApplicationError
from journey import services
from tickets.selectors import ticket_list

from ..forms import BulkForm
from .common import staff_required

CHANGED = "helpdesk:changed"  # the list and its counts re-fetch


def bulk_form(user, data=None) -> BulkForm:
    return BulkForm(data, macros=macro_list(user=user))


def _rows(user, results) -> list[dict]:
    ids = [r.id for r in results if r.error != "not found"]
    subjects = {
        str(pk): s
        for pk, s in ticket_list(user=user).filter(pk__in=ids).values_list("pk", "subject")
    }
    return [
        {"id": r.id, "ok": r.ok, "error": r.error, "subject": subjects.get(r.id, r.id)}
        for r in results
    ]


@staff_required
@require_POST
def tickets_bulk(request):
    form = bulk_form(request.user, request.POST)
    ids = request.POST.getlist("ids")
    context: dict = {"form": form}
    if not ids:
        context["error"] = "Tick the tickets to change first."
    elif not form.is_valid():
        context["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            results = services.tickets_bulk_apply(
                user=request.user, ids=ids, action=form.cleaned_data["action"], value=form.value()
            )
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            rows = _rows(request.user, results)
            context.update(
                rows=rows, done=sum(r["ok"] for r in rows), failed=not all(r["ok"] for r in rows)
            )
            response = render(request, "workspace/_bulk_results.html", context)
            response["HX-Trigger"] = CHANGED
            return response
    return render(request, "workspace/_bulk_results.html", context, status=400)
