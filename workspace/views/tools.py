"""Agent tools on the ticket page: tags by hand (with suggestions from the tags in use) and
merging a duplicate into another ticket, after a confirmation. Each action calls one service."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError, NotFound
from journey import services
from journey.services.merge import merge_allowed
from routing.tags import tag_counts
from tickets.models import Ticket
from tickets.selectors import ticket_find
from tickets.services.merge import same_customer

from ..selectors import merge_candidates
from .common import form_result, staff_required, ticket_or_404

SUGGESTIONS = 20


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_tags(request, ticket_id):
    """The tags card; a post adds the comma-separated `add` and removes `remove` (a chip's
    button)."""
    ticket = ticket_or_404(request, ticket_id)
    if request.method == "GET":
        return render(request, "workspace/_tags.html", {"ticket": ticket})
    add = [part for part in request.POST.get("add", "")[:2000].split(",") if part.strip()]
    remove = request.POST.getlist("remove")[:50]
    error = None
    if add or remove:
        try:
            ticket = services.ticket_tags_change(
                ticket=ticket, user=request.user, add=add, remove=remove
            )
        except ApplicationError as exc:
            error = exc
    return form_result(
        request,
        template="workspace/_tags.html",
        context={"ticket": ticket, "typed": request.POST.get("add", "")[:2000] if error else ""},
        error=error,
        success_url=reverse("workspace:ticket", args=[ticket.pk]),
    )


@staff_required
def tag_suggestions(request):
    """`<option>`s for the tag box's datalist: the tags in use that start like the last tag
    typed, most used first."""
    typed = request.GET.get("add", "")[:200].rsplit(",", 1)[-1].strip()
    tags = tag_counts(user=request.user, prefix=typed, limit=SUGGESTIONS)
    return render(request, "workspace/_tag_options.html", {"tags": tags})


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_merge(request, ticket_id):
    """The merge card. A first post names the ticket to merge into (picked, or typed as a
    reference) and gets a question; the second, with `confirm`, merges and goes to the target."""
    ticket = ticket_or_404(request, ticket_id)
    if request.method == "GET":
        return render(request, "workspace/_merge.html", _merge_context(request, ticket))
    into = (request.POST.get("into_ref", "").strip() or request.POST.get("into", ""))[:64]
    context = _merge_context(request, ticket)
    error: ApplicationError | None = None
    try:
        target = ticket_find(user=request.user, ref=into) if into else None
        if target is None:
            raise NotFound("No ticket you can see has that reference.")
        if request.POST.get("confirm"):
            result = services.ticket_merge(source=ticket, target=target, user=request.user)
            return _go_to(request, reverse("workspace:ticket", args=[result.target.pk]))
        merge_allowed(source=ticket, target=target, user=request.user)
        context.update(confirm=target, other_customer=not same_customer(ticket, target))
    except ApplicationError as exc:
        error = exc
    response = form_result(request, template="workspace/_merge.html", context=context, error=error)
    response.headers.pop("HX-Trigger", None)  # a question changes nothing yet
    return response


def _merge_context(request, ticket: Ticket) -> dict:
    return {
        "ticket": ticket,
        "merge_candidates": merge_candidates(ticket=ticket, user=request.user),
    }


def _go_to(request, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
