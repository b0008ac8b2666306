"""The agent workspace: lists, the ticket page and its actions. Each action calls one service."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agents.selectors import ai_attempts_for
from core.exceptions import ApplicationError
from journey import services
from tickets.search import tickets_with_snippets
from tickets.selectors import (
    comment_list,
    comments_with_mail_original,
    ticket_attachments,
    ticket_mail_original,
    ticket_user_can_view,
)

from ..forms import CommentForm, CorrectForm, ReassignForm, StatusForm, incoming_files
from ..selectors import (
    LIST_LIMIT,
    VIEWS,
    customer_previous_tickets,
    filter_choices,
    merge_candidates,
    queues_for,
    saved_views_with_counts,
    worklist,
)
from .bulk import bulk_form
from .common import form_result, staff_required, ticket_or_404
from .macros import picker_context
from .saved import list_filters


def _list_params(request) -> dict:
    view = request.GET.get("view", "mine")
    if view not in VIEWS:
        view = "mine"
    return {
        "view": view,
        "queue_slug": request.GET.get("queue", "")[:100],
        "query": request.GET.get("q", "")[:200],
    }


def _list_context(request) -> dict:
    params = _list_params(request)
    title = VIEWS[params["view"]]
    extra: dict = {}
    if params["view"] in ("filter", "saved"):
        extra = list_filters(request)
        params["filters"] = extra["filters"]
        if extra.get("saved_view") is not None:
            title = extra["saved_view"].name
    if extra.get("filter_error") or extra.get("missing"):
        tickets = []
    else:
        tickets = list(worklist(user=request.user, **params)[:LIST_LIMIT])
    if params["view"] == "search":
        tickets_with_snippets(tickets, text=params["query"])
    if params["view"] == "filter" and params["filters"].get("text"):
        tickets_with_snippets(tickets, text=params["filters"]["text"])
    if params["view"] == "queue":
        title = f"Queue: {params['queue_slug']}"
    return {**params, **extra, "tickets": tickets, "title": title, "limit": LIST_LIMIT}


def _sidebar(request) -> dict:
    return {
        "queues": queues_for(user=request.user),
        "saved_views": saved_views_with_counts(user=request.user),
    }


@staff_required
def worklist_page(request):
    context = {**_list_context(request), **_sidebar(request)}
    context["views"] = VIEWS
    context["bulk_form"] = bulk_form(request.user)
    context.update(filter_choices(user=request.user))
    status = 400 if context.get("filter_error") else 200
    return render(request, "workspace/index.html", context, status=status)


@staff_required
def worklist_partial(request):
    """The list, plus the sidebar's queue and view counts swapped out of band."""
    context = {**_list_context(request), **_sidebar(request), "oob": True}
    return render(request, "workspace/_list.html", context)


def _facts_context(request, ticket, **forms) -> dict:
    return {
        "ticket": ticket,
        "status_form": forms.get("status_form") or StatusForm(current=ticket.status),
        "reassign_form": forms.get("reassign_form") or ReassignForm(),
        "correct_form": forms.get("correct_form") or CorrectForm(),
    }


def _conversation_context(request, ticket) -> dict:
    return {
        "ticket": ticket,
        "comments": comments_with_mail_original(comment_list(ticket=ticket, user=request.user)),
        "ticket_files": ticket_attachments(ticket=ticket),
        "ticket_original": ticket_mail_original(ticket=ticket),
    }


@staff_required
def ticket_page(request, ticket_id):
    ticket = ticket_or_404(request, ticket_id)
    context = {
        **_facts_context(request, ticket),
        **_conversation_context(request, ticket),
        "reply_form": CommentForm(),
        "previous": customer_previous_tickets(ticket=ticket, user=request.user),
        "history": ticket.events.select_related("actor").order_by("-created_at")[:30],
        "ai_attempts": ai_attempts_for(ticket=ticket),
        "merge_candidates": merge_candidates(ticket=ticket, user=request.user),
        **picker_context(request, ticket),
    }
    return render(request, "workspace/ticket.html", context)


@staff_required
def ticket_conversation(request, ticket_id):
    ticket = ticket_or_404(request, ticket_id)
    return render(request, "workspace/_conversation.html", _conversation_context(request, ticket))


@staff_required
def ticket_facts(request, ticket_id):
    ticket = ticket_or_404(request, ticket_id)
    return render(request, "workspace/_facts.html", _facts_context(request, ticket))


@staff_required
@require_POST
def ticket_comment(request, ticket_id):
    ticket = ticket_or_404(request, ticket_id)
    form = CommentForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            services.comment_add(
                ticket=ticket,
                user=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                files=incoming_files(form),
            )
            form = CommentForm()
        except ApplicationError as exc:
            error = exc
    return form_result(
        request,
        template="workspace/_reply_form.html",
        context={"ticket": ticket, "reply_form": form},
        error=error,
        invalid=form.is_bound and not form.is_valid(),
        success_url=reverse("workspace:ticket", args=[ticket.pk]),
    )


def _facts_action(request, ticket_id, make_form, form_name: str, action):
    """Validate `make_form(ticket)`, run `action(ticket, cleaned_data)` (one service call), and
    re-render the facts panel with the result or the error inline."""
    ticket = ticket_or_404(request, ticket_id)
    form = make_form(ticket)
    error = None
    if form.is_valid():
        try:
            ticket = action(ticket, form.cleaned_data)
            form = None
        except ApplicationError as exc:
            error = exc
    return _facts_result(request, ticket, error, form, form_name)


@staff_required
@require_POST
def ticket_status(request, ticket_id):
    return _facts_action(
        request,
        ticket_id,
        lambda ticket: StatusForm(request.POST, current=ticket.status),
        "status_form",
        lambda ticket, data: services.ticket_change_status(
            ticket=ticket, user=request.user, status=data["status"], reason=data["reason"]
        ),
    )


@staff_required
@require_POST
def ticket_reassign(request, ticket_id):
    return _facts_action(
        request,
        ticket_id,
        lambda ticket: ReassignForm(request.POST),
        "reassign_form",
        lambda ticket, data: services.ticket_reassign(
            ticket=ticket,
            user=request.user,
            agent=data["agent"],
            queue=data["queue"],
            reason=data["reason"],
        ),
    )


@staff_required
@require_POST
def ticket_correct(request, ticket_id):
    return _facts_action(
        request,
        ticket_id,
        lambda ticket: CorrectForm(request.POST),
        "correct_form",
        lambda ticket, data: services.ticket_correct(
            ticket=ticket,
            user=request.user,
            category=data["category"],
            queue=data["queue"],
            priority=data["priority"] or None,
            reason=data["reason"],
        ),
    )


def _facts_result(request, ticket, error, form, form_name: str):
    ticket.refresh_from_db()
    if (
        error is None
        and form is None
        and not ticket_user_can_view(user=request.user, ticket=ticket)
    ):
        # a limited agent sent the ticket out of their queues (allowed): back to their list
        response = HttpResponse() if request.htmx else redirect("workspace:list")
        response["HX-Redirect"] = reverse("workspace:list")
        return response
    context = _facts_context(request, ticket, **({form_name: form} if form is not None else {}))
    context["error_form"] = form_name if (error or form is not None) else ""
    return form_result(
        request,
        template="workspace/_facts.html",
        context=context,
        error=error,
        invalid=form is not None and error is None,
        success_url=reverse("workspace:ticket", args=[ticket.pk]),
    )
