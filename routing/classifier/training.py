"""Training and retraining the local classifier from the stored history."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from routing.models import ClassifierModel

from . import metrics
from .history import Row, training_rows
from .language import detect_language
from .model import FIELDS, TextModel, train_text_model
from .store import active_model_row, classifier_model_save, model_load

logger = logging.getLogger(__name__)
PRIMARY_FIELDS = ("queue", "category", "priority", "subcategory")  # what "better" is judged on
MIN_ROWS = 10
HOLDOUT_FRACTION = 0.2


class NotEnoughHistory(Exception):
    pass


def _labels(rows: list[Row]) -> dict[str, list[str]]:
    labels = {name: [getattr(r, name) for r in rows] for name in FIELDS}
    return {name: values for name, values in labels.items() if len(set(values) - {""}) >= 2}


def model_fit(rows: list[Row], *, progress: Callable[[str], None] | None = None) -> TextModel:
    if len(rows) < MIN_ROWS:
        raise NotEnoughHistory(f"{len(rows)} labelled tickets; at least {MIN_ROWS} are needed.")
    labels = _labels(rows)
    if not labels:
        raise NotEnoughHistory("No label field has two or more different values.")
    meta = [
        {"text": r.text[:300], "queue": r.queue, "category": r.category, "priority": r.priority}
        for r in rows
    ]
    return train_text_model(
        [r.text for r in rows],
        labels,
        progress=progress,
        exemplar_meta=meta,
        languages=[detect_language(r.text) for r in rows],  # as predictions detect it
    )


def model_evaluate(model: TextModel, rows: list[Row]) -> dict[str, dict]:
    """Per-field figures of `model` on `rows` (rows without a label for a field are skipped)."""
    if not rows:
        return {}
    x = model.transform([r.text for r in rows])
    languages = [detect_language(r.text) for r in rows]
    report = {}
    for name, head in model.heads.items():
        truth = [getattr(r, name) for r in rows]
        keep = [i for i, t in enumerate(truth) if t]
        if not keep:
            continue
        best, confidence = head.top(x[keep], [languages[i] for i in keep])
        report[name] = metrics.field_report(
            y_true=[truth[i] for i in keep],
            y_pred=[str(c) for c in head.classes[best]],
            confidence=[float(c) for c in confidence],
        )
    return report


def primary_score(report: dict[str, dict]) -> tuple[str, float] | None:
    for name in PRIMARY_FIELDS:
        if name in report:
            return name, report[name]["macro_f1"]
    return None


def classifier_train(
    *,
    rows: list[Row] | None = None,
    activate: bool = True,
    progress: Callable[[str], None] | None = None,
    notes: str = "",
) -> ClassifierModel:
    """Train on the whole history and store a new version (active unless told otherwise).
    The stored metrics are the cross-validated figures of each field."""
    rows = training_rows() if rows is None else rows
    started = time.perf_counter()
    model = model_fit(rows, progress=progress)
    seconds = time.perf_counter() - started
    summary = {
        "training_seconds": round(seconds, 2),
        "cross_validated": {name: head.cv_metrics for name, head in model.heads.items()},
    }
    return classifier_model_save(
        model=model,
        metrics=summary,
        trained_on=len(rows),
        activate=activate,
        notes=notes or "trained on the full history",
    )


@dataclass
class RetrainResult:
    kept: bool
    model: ClassifierModel | None
    candidate_score: float | None = None
    active_score: float | None = None
    field: str = ""
    reason: str = ""


def classifier_retrain(*, holdout_fraction: float = HOLDOUT_FRACTION) -> RetrainResult:
    """Train a candidate on all but the most recent slice of history, score candidate and active
    model on that slice (macro-F1 of the first field both predict), and keep the candidate only
    when it scores higher. A kept candidate is refitted on the full history before it goes live;
    a discarded one is recorded with its figures and no file."""
    rows = training_rows()
    cut = len(rows) - max(1, int(len(rows) * holdout_fraction))
    train, held = rows[:cut], rows[cut:]
    try:
        candidate = model_fit(train)
    except NotEnoughHistory as exc:
        return RetrainResult(kept=False, model=None, reason=str(exc))
    cand_report = model_evaluate(candidate, held)
    active_row = active_model_row()
    active_report: dict = {}
    if active_row is not None:
        try:
            active_report = model_evaluate(model_load(active_row), held)
        except (OSError, EOFError, ValueError) as exc:
            logger.warning("Active classifier v%s unreadable: %s", active_row.version, exc)
    cand = primary_score(cand_report)
    field = cand[0] if cand else ""
    cand_score = cand[1] if cand else None
    act_score = active_report.get(field, {}).get("macro_f1") if field else None
    summary = {
        "holdout_rows": len(held),
        "holdout": _slim(cand_report),
        "active_version": active_row.version if active_row else None,
        "active_holdout": _slim(active_report),
        "compared_on": field,
        "fields_list": candidate.fields,
    }
    better = cand_score is not None and (act_score is None or cand_score > act_score)
    if not better:
        reason = f"candidate {field} macro-F1 {cand_score} did not beat active {act_score}"
        row = classifier_model_save(
            model=None, metrics=summary, trained_on=len(train), notes=f"discarded: {reason}"
        )
        return RetrainResult(False, row, cand_score, act_score, field, reason)
    final = model_fit(rows)
    summary["cross_validated"] = {name: head.cv_metrics for name, head in final.heads.items()}
    reason = f"candidate {field} macro-F1 {cand_score} beat active {act_score}"
    row = classifier_model_save(
        model=final, metrics=summary, trained_on=len(rows), activate=True, notes=f"kept: {reason}"
    )
    return RetrainResult(True, row, cand_score, act_score, field, reason)


def _slim(report: dict[str, dict]) -> dict[str, dict]:
    keys = ("rows", "accuracy", "macro_f1", "ece")
    return {name: {k: figures[k] for k in keys} for name, figures in report.items()}
