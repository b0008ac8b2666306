"""Confidence that means what it says, for the sources the local model's own calibration does
not cover: Claude's label confidences here, the AI agent's reply scores (whose outcomes the
agents app collects, agents/resolution/calibration.py) through the same functions.

Each is fitted on logged outcomes with the local model's machinery (an isotonic map from the
stated confidence to how often it was right): a Claude label is right when the ticket still has
it (a correction or a reassignment changes it). A map needs MIN_ROWS outcomes; before that the
stated confidence is used as it is. A nightly task refits them (journey.tasks)."""

from datetime import timedelta

import numpy as np
from django.utils import timezone
from sklearn.isotonic import IsotonicRegression

from core.memo import memoized

from .models import ClassificationLog, ConfidenceCalibration

MIN_ROWS = 200
WINDOW = timedelta(days=90)
CLAUDE_FIELDS = {"queue": "queue__slug", "category": "category__slug", "priority": "priority"}


def calibrated(source: str, field: str, value: float) -> float:
    """`value` as `source` states it, mapped to how often such a statement was right."""
    fitted = memoized(("calibration", source, field), lambda: _read(source, field))
    if fitted is None:
        return value
    x, y = fitted
    return float(np.interp(value, x, y))


def _read(source: str, field: str) -> tuple[list, list] | None:
    row = ConfidenceCalibration.objects.filter(source=source, field=field).first()
    return (row.x, row.y) if row is not None and row.x else None


def calibration_fit(*, source: str, field: str, stated: list[float], right: list[bool]) -> bool:
    """Fit and store one map from outcomes; False (and nothing stored) with too few of them."""
    if len(stated) < MIN_ROWS:
        return False
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(np.asarray(stated, dtype=float), np.asarray(right, dtype=float))
    ConfidenceCalibration.objects.update_or_create(
        source=source,
        field=field,
        defaults={
            "x": [round(float(v), 6) for v in iso.X_thresholds_],
            "y": [round(float(v), 6) for v in iso.y_thresholds_],
            "rows": len(stated),
            "accuracy": float(np.mean(right)),
        },
    )
    return True


def claude_outcomes(field: str) -> tuple[list[float], list[bool]]:
    """Claude's stated confidence for `field` on each ticket it classified, and whether the
    ticket still carries that label."""
    since = timezone.now() - WINDOW
    logs = ClassificationLog.objects.filter(
        source="claude", created_at__gte=since, probabilities__has_key=field
    ).values_list("probabilities", f"ticket__{CLAUDE_FIELDS[field]}")
    stated, right = [], []
    for probabilities, final in logs:
        ((label, confidence),) = probabilities[field].items()
        stated.append(float(confidence))
        right.append(label == final)
    return stated, right


def claude_calibrations_refit() -> list[str]:
    """Refit Claude's maps that have enough outcomes; which were fitted."""
    done = []
    for field in CLAUDE_FIELDS:
        stated, right = claude_outcomes(field)
        if calibration_fit(source="claude", field=field, stated=stated, right=right):
            done.append(f"claude {field}")
    return done
