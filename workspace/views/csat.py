"""The one-click rating link: `GET` records the score (from a mail or the app) and shows a page
that lets the customer change it; `POST` does the same for the page's buttons or an app."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from tickets.csat import CSAT_SCORES, csat_record, csat_ticket_from_token


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or (
        request.GET.get("format") == "json"
    )


def _error(request, exc: ApplicationError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"error": exc.code, "detail": exc.message, "fields": exc.fields},
            status=exc.status_code,
        )
    return render(
        request,
        "customer/csat.html",
        {"error": exc.message, "scores": CSAT_SCORES},
        status=exc.status_code,
    )


@require_http_methods(["GET"])
def csat_choose(request, token: str) -> HttpResponse:
    try:
        ticket = csat_ticket_from_token(token=token)
    except ApplicationError as exc:
        return _error(request, exc)
    return render(
        request, "customer/csat.html", {"ticket": ticket, "token": token, "scores": CSAT_SCORES}
    )


@csrf_exempt  # the signed token is the credential; there is no session to ride on
@require_http_methods(["GET", "POST"])
def csat_rate(request, token: str, score: str) -> HttpResponse:
    try:
        ticket = csat_ticket_from_token(token=token)
        if not score.isdigit():
            raise ApplicationError(
                "The rating is a whole number from 1 to 5.", fields={"score": ["From 1 to 5."]}
            )
        result = csat_record(ticket=ticket, score=int(score))
    except ApplicationError as exc:
        return _error(request, exc)
    if _wants_json(request):
        return JsonResponse(
            {
                "ticket_id": str(result.ticket.pk),
                "score": result.score,
                "csat_at": result.ticket.csat_at.isoformat() if result.ticket.csat_at else None,
                "changed": result.changed,
            }
        )
    return render(
        request,
        "customer/csat.html",
        {"ticket": result.ticket, "token": token, "scores": CSAT_SCORES, "saved": result.score},
    )
