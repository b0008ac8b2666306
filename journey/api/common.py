from core.exceptions import NotAllowed, NotFound
from core.roles import is_staff_role
from tickets.models import Ticket
from tickets.selectors import ticket_get


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
