"""Which classifier answers, and how its answer is explained. No ORM here."""

import importlib
import logging
import re

from django.conf import settings

from tickets.models import Category

from .classifier import Prediction

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.7


def default_predictor():
    """H3b's local model if the module exists (it returns None while no model is trained)."""
    local = _optional_module("routing.classifier.local")
    return local.predict if local is not None else None


def model_problem() -> str:
    """Why the active local model is not in use ("" when it is, or when none is trained)."""
    local = _optional_module("routing.classifier.local")
    return local.problem() if local is not None else ""


def default_llm():
    return _optional_module("routing.classifier.llm")


def _optional_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def prediction_confidence(prediction: Prediction | None) -> float | None:
    """The answer's confidence as routing uses it: the queue's, else the category's."""
    if prediction is None:
        return None
    for name in ("queue", "category"):
        if name in prediction.labels and name in prediction.confidences:
            return prediction.confidences[name]
    return None


def predict(*, text: str, context: dict, language: str, predictor, llm) -> tuple:
    """→ (prediction or None, source label, notes). Policy `HELPDESK_LLM_POLICY`:
    "low_confidence" (default): the local model first, Claude only when its confidence is below
    0.7; "always": Claude first when configured, the local model when Claude fails;
    "never": the local model only. A classifier that crashes never fails the ticket."""
    notes: list[str] = []
    mode = getattr(settings, "HELPDESK_LLM_POLICY", "low_confidence")
    use_llm = mode != "never" and llm is not None and _safe(lambda: llm.is_configured(), notes)
    local_prediction = None
    if not use_llm or mode == "low_confidence":
        local_prediction = _run_local(predictor, text, context, notes)
        if not use_llm:
            return local_prediction, "local" if local_prediction else "", notes
        confidence = prediction_confidence(local_prediction)
        if confidence is not None and confidence >= DEFAULT_THRESHOLD:
            return local_prediction, "local", notes
    try:
        return llm.classify(text=text, context=context, ticket_language=language), "claude", notes
    except Exception as exc:  # LLMUnavailable, or a bug: either way the local model answers
        if not isinstance(exc, getattr(llm, "LLMUnavailable", ())):
            logger.exception("LLM classifier crashed")
        notes.append(f"claude unavailable ({_short(exc)}): local model used")
    if local_prediction is None:
        local_prediction = _run_local(predictor, text, context, notes)
    return local_prediction, "fallback" if local_prediction else "", notes


def _run_local(predictor, text: str, context: dict, notes: list[str]) -> Prediction | None:
    if predictor is None:
        return None
    try:
        return predictor(text, context)
    except Exception as exc:
        logger.exception("local classifier crashed")
        notes.append(f"local model failed ({_short(exc)})")
        return None


def _safe(call, notes: list[str]) -> bool:
    try:
        return bool(call())
    except Exception as exc:
        notes.append(f"claude check failed ({_short(exc)})")
        return False


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


def model_phrase(prediction: Prediction, field: str) -> str:
    """ "model: billing 0.93; top words: invoice, charged" (or "claude: ...")."""
    who = "claude" if prediction.source == "claude" else "model"
    label = prediction.labels.get(field, "")
    confidence = prediction.confidences.get(field)
    text = f"{who}: {label}" + (f" {confidence:.2f}" if confidence is not None else "")
    if prediction.top_words:
        text += f"; top words: {', '.join(prediction.top_words[:5])}"
    return text


def subcategory_by_keyword(*, text: str, subcategories: list[Category]) -> Category | None:
    """The one sub-category whose name (or slug words) appears in the text; None when zero or
    several do."""
    hits = []
    for sub in subcategories:
        names = {sub.name.strip(), sub.slug.replace("-", " ").replace("_", " ")}
        if any(re.search(rf"(?<!\w){re.escape(n)}", text, re.IGNORECASE) for n in names if n):
            hits.append(sub)
    return hits[0] if len(hits) == 1 else None
