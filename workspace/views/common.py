"""Small pieces shared by the workspace and customer views."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from core.exceptions import ApplicationError
from core.roles import user_role
from tickets.selectors import ticket_get

TICKET_CHANGED = "helpdesk:ticket"


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        role = user_role(request.user)
        if role == "anonymous":
            return redirect_to_login(request.get_full_path())
        if role not in ("agent", "manager"):
            return render(request, "workspace/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def ticket_or_404(request, ticket_id):
    """The ticket if the signed-in user may see it; 404 for missing and not-theirs alike."""
    ticket = ticket_get(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return ticket


def customer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if user_role(request.user) == "anonymous":
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def home(request):
    role = user_role(request.user)
    if role in ("agent", "manager"):
        return redirect("workspace:list")
    if role == "customer":
        return redirect("customer:list")
    return redirect("customer:new")


def form_result(
    request,
    *,
    template: str,
    context: dict,
    error: ApplicationError | None = None,
    invalid: bool = False,
    success_url: str = "",
) -> HttpResponse:
    """The answer to an action form: for htmx the re-rendered fragment (with the error inline, or
    fresh plus an event that refreshes the rest of the page); otherwise a redirect or the page."""
    status = 200
    if error is not None:
        context["error"] = error.message
        status = error.status_code
    elif invalid:
        status = 400
    if request.htmx:
        response = render(request, template, context, status=status)
        if status == 200:
            response["HX-Trigger"] = TICKET_CHANGED
        return response
    if status == 200 and success_url:
        return redirect(success_url)
    return render(request, template, context, status=status)
