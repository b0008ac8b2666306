"""The customer side (`web` channel): open a ticket, follow it live, reply."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agents.services.notifications import notification_enqueue
from core.exceptions import ApplicationError
from core.ratelimit import Limit, client_ident, minutes
from core.roles import user_role
from journey import services
from journey.api.attachments import attachment_response
from tickets.access import status_token_make
from tickets.models import Channel
from tickets.selectors import (
    comment_list,
    ticket_attachment_public,
    ticket_attachments,
    ticket_get,
    ticket_list,
)

from ..forms import CustomerReplyForm, TicketOpenForm, incoming_files
from ..selectors import ticket_for_status_token
from .common import customer_required, form_result

# The mail to a visitor's address is this fixed text and the status link: nothing the visitor
# wrote, so the form cannot relay an attacker's words from the support address.
RECEIVED_TITLE = "We received your request"
RECEIVED_BODY = (
    "Someone sent a request to our support team from our web form with this address.\n\n"
    "Follow it and answer us here:\n{link}\n\n"
    "If it was not you, you can ignore this mail."
)


def _form_limits(*, request, email: str) -> list[tuple[Limit, str]]:
    """The web form's budgets: per client always, per address for visitors (whose address is
    mailed); HELPDESK_WEBFORM_PER_CLIENT / _PER_ADDRESS posts an hour."""
    limits = [
        (Limit("webform-client", settings.HELPDESK_WEBFORM_PER_CLIENT, 3600), client_ident(request))
    ]
    if email:
        limits.append(
            (Limit("webform-address", settings.HELPDESK_WEBFORM_PER_ADDRESS, 3600), email)
        )
    return limits


def ticket_open(request):
    signed_in = user_role(request.user) != "anonymous"
    form = TicketOpenForm(request.POST or None, request.FILES or None, signed_in=signed_in)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        limits = _form_limits(request=request, email="" if signed_in else data["email"])
        spent = [limit for limit, key in limits if limit.reached(key)]
        if spent:
            wait = max(limit.retry_after() for limit in spent)
            form.add_error(
                None,
                "Too many requests from here or for this address. "
                f"Please try again in {minutes(wait)}.",
            )
            response = render(request, "customer/new.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
        for limit, key in limits:
            limit.record(key)
        result = services.ticket_submit(
            subject=data["subject"],
            body=data["body"],
            channel=Channel.WEB,
            customer=request.user if signed_in else None,
            customer_email="" if signed_in else data["email"],
            files=incoming_files(form),
        )
        ticket = result.ticket
        if signed_in:
            return redirect("customer:ticket", ticket_id=ticket.pk)
        link = request.build_absolute_uri(
            reverse("customer:status", args=[status_token_make(ticket_id=ticket.pk)])
        )
        notification_enqueue(  # mailed from Celery after commit, never inside the request
            event="ticket.received",
            ticket=ticket,
            audience="customer",
            dedupe="received",
            title=RECEIVED_TITLE,
            body=RECEIVED_BODY.format(link=link),
            backends={"email"},
        )
        return redirect(link)
    return render(request, "customer/new.html", {"form": form}, status=400 if form.errors else 200)


@customer_required
def ticket_mine(request):
    tickets = ticket_list(user=request.user)
    if user_role(request.user) != "customer":
        tickets = tickets.filter(customer=request.user)
    return render(request, "customer/list.html", {"tickets": tickets[:100]})


def _own_ticket(request, ticket_id):
    ticket = ticket_get(user=request.user, ticket_id=ticket_id)
    if ticket is None or ticket.customer_id != request.user.pk:
        raise Http404
    return ticket


def _page_context(ticket, *, token: str = "") -> dict:
    # Even a staff member looking at their own request sees it as the customer does.
    comments = comment_list(ticket=ticket, user=None)
    return {
        "ticket": ticket,
        "comments": comments,
        "token": token,
        "ticket_files": ticket_attachments(ticket=ticket),
    }


@customer_required
def ticket_status_page(request, ticket_id):
    ticket = _own_ticket(request, ticket_id)
    context = _page_context(ticket)
    context["reply_form"] = CustomerReplyForm()
    return render(request, "customer/ticket.html", context)


@customer_required
def ticket_conversation(request, ticket_id):
    ticket = _own_ticket(request, ticket_id)
    return render(request, "customer/_conversation.html", _page_context(ticket))


@customer_required
@require_POST
def ticket_reply(request, ticket_id):
    ticket = _own_ticket(request, ticket_id)
    form = CustomerReplyForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            services.comment_add(
                ticket=ticket,
                user=request.user,
                body=form.cleaned_data["body"],
                files=incoming_files(form),
            )
            form = CustomerReplyForm()
        except ApplicationError as exc:
            error = exc
    return form_result(
        request,
        template="customer/_reply_form.html",
        context={"ticket": ticket, "reply_form": form},
        error=error,
        invalid=form.is_bound and not form.is_valid(),
        success_url=reverse("customer:ticket", args=[ticket.pk]),
    )


def _token_ticket(token: str):
    ticket = ticket_for_status_token(token=token)
    if ticket is None:
        raise Http404
    return ticket


def ticket_status_by_link(request, token):
    ticket = _token_ticket(token)
    return render(request, "customer/ticket.html", _page_context(ticket, token=token))


def ticket_conversation_by_link(request, token):
    ticket = _token_ticket(token)
    return render(request, "customer/_conversation.html", _page_context(ticket, token=token))


def attachment_by_link(request, token, attachment_id):
    """A file of the ticket a status link names, as its customer sees it (no internal note's)."""
    ticket = _token_ticket(token)
    attachment = ticket_attachment_public(ticket=ticket, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    try:
        return attachment_response(attachment)
    except ApplicationError as exc:
        raise Http404 from exc
