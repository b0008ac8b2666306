"""The rating link: `GET` (from a mail or the app) only shows the chosen score with a button to
send it, because mail scanners and link previews follow every link in a mail; `POST` (that
button, the page's other scores, or an app) records it."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from tickets.csat import CSAT_SCORES, csat_check, csat_record, csat_ticket_from_token


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


def _score(score: str) -> int:
    if not score.isdigit():
        raise ApplicationError(
            "The rating is a whole number from 1 to 5.", fields={"score": ["From 1 to 5."]}
        )
    return int(score)


def _state(ticket, *, score, changed: bool) -> dict:
    return {
        "ticket_id": str(ticket.pk),
        "score": score,
        "csat_at": ticket.csat_at.isoformat() if ticket.csat_at else None,
        "changed": changed,
    }


@csrf_exempt  # the signed token is the credential; there is no session to ride on
@require_http_methods(["GET", "POST"])
def csat_rate(request, token: str, score: str) -> HttpResponse:
    try:
        ticket = csat_ticket_from_token(token=token)
        chosen = _score(score)
        if request.method == "GET":
            csat_check(ticket=ticket, score=chosen)  # errors now; the rating only on POST
        else:
            result = csat_record(ticket=ticket, score=chosen)
    except ApplicationError as exc:
        return _error(request, exc)
    if request.method == "GET":
        if _wants_json(request):  # what is stored now; nothing changed
            return JsonResponse(_state(ticket, score=ticket.csat_score, changed=False))
        context = {"ticket": ticket, "token": token, "scores": CSAT_SCORES, "chosen": chosen}
        return render(request, "customer/csat.html", context)
    if _wants_json(request):
        return JsonResponse(_state(result.ticket, score=result.score, changed=result.changed))
    return render(
        request,
        "customer/csat.html",
        {"ticket": result.ticket, "token": token, "scores": CSAT_SCORES, "saved": result.score},
    )
