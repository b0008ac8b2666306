"""The local classifier as routing sees it: the active version, loaded once per process.

Every process keeps one in-memory model. At most every HELPDESK_MODEL_CHECK_SECONDS (default 5)
a prediction looks up which version is active (one indexed query); when it changed, the new file
is loaded and the reference swapped in one assignment, so requests in flight finish with the
model they started with and nothing ever waits for a restart."""

import logging
import threading
import time
from dataclasses import dataclass

from . import Prediction, recheck
from .language import detect_language
from .model import TextModel, similar
from .recheck import invalidate as invalidate  # callers force a fresh look with local.invalidate()
from .store import active_model_row, model_load
from .text import MAX_CHARS

logger = logging.getLogger(__name__)
MODEL_NAME = "local"


@dataclass(frozen=True)
class Loaded:
    version: int
    row_id: int
    model: TextModel


_current: Loaded | None = None
_problem = ""
_lock = threading.Lock()


def problem() -> str:
    """Why the active version is not in use in this process ("" when it is or none is active):
    routing then goes by rules and queue defaults, and the admin shows this."""
    active()
    return _problem


def active() -> Loaded | None:
    """The active model, re-checked at most every few seconds; None when no model is active."""
    global _current, _problem
    now = time.monotonic()
    if recheck.fresh(now):
        return _current
    with _lock:
        if recheck.fresh(now):
            return _current
        row = active_model_row()
        # Other threads keep serving the current model while this one loads the new file.
        recheck.checked()
        if row is None:
            _current, _problem = None, ""
        elif _current is None or (_current.row_id, _current.version) != (row.pk, row.version):
            try:
                _current, _problem = Loaded(row.version, row.pk, model_load(row)), ""
                logger.info("Loaded classifier v%s", row.version)
            except Exception as exc:  # file missing on this host, torn, or from another version
                _current = None
                _problem = f"classifier v{row.version} could not be loaded ({exc})"
                logger.warning("%s: routing by rules and queue defaults", _problem.capitalize())
        recheck.checked()
        return _current


def predict(text: str, context: dict | None = None) -> Prediction | None:
    """Queue, category, priority (and sub-category) with calibrated confidences, or None when no
    model has been trained yet. `context` may carry `queue` (to pick sub-categories) and
    `locale` (a hint for the language of very short texts)."""
    started = time.perf_counter()
    loaded = active()
    if loaded is None:
        return None
    context = context or {}
    text = text.strip()[:MAX_CHARS]
    language = detect_language(text, locale=str(context.get("locale") or ""))
    out = loaded.model.predict_one(text, queue=str(context.get("queue") or ""), language=language)
    return Prediction(
        source="local",
        model_name=MODEL_NAME,
        model_version=str(loaded.version),
        labels=out["labels"],
        confidences=out["confidences"],
        probabilities=out["probabilities"],
        language=language,
        top_words=out["top_words"],
        latency_ms=(time.perf_counter() - started) * 1000,
    )


def similar_tickets(text: str, k: int = 3) -> list[dict]:
    """The k most similar resolved tickets the active model remembers (for the LLM prompt)."""
    loaded = active()
    return similar(loaded.model, text, k) if loaded is not None else []
