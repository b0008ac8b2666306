import json

from rest_framework import serializers

from core.exceptions import NotAllowed, NotFound
from core.roles import is_staff_role
from journey.serializers import ticket_output
from tickets.models import Ticket
from tickets.selectors import ticket_get
from tickets.services.attachments import IncomingFile


def visible_ticket(request, ticket_id) -> Ticket:
    """The ticket if the caller may see it; 404 for missing, not yours and malformed ids alike."""
    ticket = ticket_get(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


def staff_ticket(request, ticket_id) -> Ticket:
    """A visible ticket for an agent-only operation: 404 if not visible, 403 for a customer."""
    ticket = visible_ticket(request, ticket_id)
    if not is_staff_role(request.user):
        raise NotAllowed("Only agents and managers can do this.")
    return ticket


def changed_ticket_answer(request, ticket: Ticket) -> dict:
    """The answer to an agent's change: the ticket as it now is, and `still_visible`.

    An agent limited to some queues may move a ticket out of them (triage: a misrouted ticket
    goes where it belongs), by reassigning it or correcting its queue. The change stands; they
    see the ticket they just changed once more, with `still_visible: false`, and later reads of
    it are 404 like any ticket outside their queues."""
    current = ticket_get(user=request.user, ticket_id=ticket.pk)
    if current is None:
        ticket.refresh_from_db()
    body = dict(ticket_output(current or ticket, user=request.user))
    body["still_visible"] = current is not None
    return body


def uploaded_files(request) -> list[IncomingFile]:
    """The `files` of a multipart request (none for JSON)."""
    return [IncomingFile(name=f.name or "", content=f) for f in request.FILES.getlist("files")]


def form_fields(request, *, json_fields: tuple[str, ...] = ()) -> dict:
    """The request's fields as a serializer takes them: a JSON body as it is; a multipart form's
    fields without its files, the `json_fields` (e.g. the mobile `context`) decoded from JSON."""
    if not hasattr(request.data, "getlist"):
        return request.data
    data: dict = {k: request.data.get(k) for k in request.data if k != "files"}
    for name in json_fields:
        if isinstance(data.get(name), str):
            try:
                data[name] = json.loads(data[name])
            except ValueError as exc:
                raise serializers.ValidationError({name: ["Give a JSON object."]}) from exc
    return data
