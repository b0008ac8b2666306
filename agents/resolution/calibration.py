"""The AI agent's reply score, calibrated on what its answers did (routing.calibration's map):
an answer sent to a customer held when the ticket was not reopened and not rated below 3."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from routing.calibration import calibrated, calibration_fit

from ..models import AIAction, AIResolutionAttempt

SOURCE, FIELD = "ai_agent", "reply"
WINDOW = timedelta(days=90)


def reply_confidence(stated: float) -> float:
    return calibrated(SOURCE, FIELD, stated)


def reply_outcomes() -> tuple[list[float], list[bool]]:
    """The stated score of each answer sent in the window, and whether it held."""
    rows = (
        AIResolutionAttempt.objects.filter(
            action__in=(AIAction.RESOLVED, AIAction.REVIEW),
            created_at__gte=timezone.now() - WINDOW,
        )
        .annotate(reopened=F("ticket__reopened_count"), rating=F("ticket__csat_score"))
        .values_list("context__stated_confidence", "confidence", "reopened", "rating")
    )
    stated, right = [], []
    for raw, score, reopened, rating in rows:
        stated.append(float(raw if raw is not None else score))
        right.append(not reopened and (rating is None or rating >= 3))
    return stated, right


def reply_calibration_refit() -> bool:
    stated, right = reply_outcomes()
    return calibration_fit(source=SOURCE, field=FIELD, stated=stated, right=right)
