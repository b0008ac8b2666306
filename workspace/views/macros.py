"""The macro picker of the ticket page: find a macro (htmx, as you type), preview it filled in
for this ticket with its actions, then apply it (one service call)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents.selectors import macro_get, macro_list
from core.exceptions import ApplicationError
from journey import services

from .common import TICKET_CHANGED, staff_required, ticket_or_404

PICKER_LIMIT = 20


def picker_context(request, ticket, query: str = "") -> dict:
    return {
        "ticket": ticket,
        "macros": list(macro_list(user=request.user, search=query)[:PICKER_LIMIT]),
        "macro_query": query,
    }


def _macro_or_404(request, macro_id):
    macro = macro_get(user=request.user, macro_id=macro_id)
    if macro is None:
        raise Http404
    return macro


@staff_required
def macro_picker(request, ticket_id):
    ticket = ticket_or_404(request, ticket_id)
    query = request.GET.get("q", "")[:200].replace("\x00", "")
    return render(request, "workspace/_macro_list.html", picker_context(request, ticket, query))


@staff_required
def macro_preview(request, ticket_id, macro_id):
    ticket = ticket_or_404(request, ticket_id)
    macro = _macro_or_404(request, macro_id)
    preview = services.macro_preview(ticket=ticket, user=request.user, macro=macro)
    context = {"ticket": ticket, "macro": macro, "preview": preview}
    return render(request, "workspace/_macro_preview.html", context)


@staff_required
@require_POST
def macro_apply(request, ticket_id, macro_id):
    ticket = ticket_or_404(request, ticket_id)
    macro = _macro_or_404(request, macro_id)
    context: dict = {"ticket": ticket, "macro": macro}
    try:
        services.macro_apply(ticket=ticket, user=request.user, macro=macro)
    except ApplicationError as exc:
        context["error"] = exc.message
        context["preview"] = services.macro_preview(ticket=ticket, user=request.user, macro=macro)
        return render(request, "workspace/_macro_preview.html", context, status=exc.status_code)
    if not request.htmx:
        return redirect("workspace:ticket", ticket.pk)
    context["applied"] = True
    response = render(request, "workspace/_macro_preview.html", context)
    response["HX-Trigger"] = TICKET_CHANGED
    return response
