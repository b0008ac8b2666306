"""Claude as a classifier: one forced `route_ticket` tool call whose schema enumerates the live
labels. Any failure (timeout, 429, 5xx, malformed answer, a label that is not allowed) raises
LLMUnavailable within the time budget, and the decision policy falls back to the local model."""

import threading
import time

import anthropic
from anthropic.types import MessageParam, ToolChoiceToolParam
from django.conf import settings

from routing.calibration import calibrated

from . import Prediction, local
from .language import detect_language
from .prompt import TOOL_NAME, Labels, live_labels, system_prompt, tool_schema, user_prompt

DEFAULT_TIMEOUT = 1.8  # seconds: the whole call, so the fallback happens within 2 s
MAX_TOKENS = 300
# USD per million tokens (input, output). Unknown models are costed as Sonnet.
PRICES = {
    "claude-opus-4": (15.0, 75.0),
    "claude-opus-4-1": (15.0, 75.0),
    "claude-opus-4-5": (5.0, 25.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-sonnet-4-6": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-3-5-haiku": (0.8, 4.0),
}
DEFAULT_PRICE = (3.0, 15.0)

_clients: dict[tuple, anthropic.Anthropic] = {}
_clients_lock = threading.Lock()


class LLMUnavailable(Exception):
    """Claude could not give a usable answer in time; route with the local model instead."""


def is_configured() -> bool:
    return bool(getattr(settings, "ANTHROPIC_API_KEY", None))


def model_name() -> str:
    return settings.HELPDESK_LLM_MODEL


def price(model: str) -> tuple[float, float]:
    for name in sorted(PRICES, key=len, reverse=True):  # longest prefix wins (dated model ids)
        if model.startswith(name):
            return PRICES[name]
    return DEFAULT_PRICE


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    per_in, per_out = price(model)
    return round((input_tokens * per_in + output_tokens * per_out) / 1_000_000, 6)


def _client() -> anthropic.Anthropic:
    timeout = float(getattr(settings, "HELPDESK_LLM_TIMEOUT", DEFAULT_TIMEOUT))
    key = (settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL, timeout)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = anthropic.Anthropic(
                api_key=settings.ANTHROPIC_API_KEY,
                base_url=settings.ANTHROPIC_BASE_URL or None,
                timeout=timeout,
                max_retries=0,
            )
        return _clients[key]


def _validated(answer: dict, labels: Labels) -> tuple[dict[str, str], dict[str, float]]:
    allowed = {
        "queue": set(labels.queues),
        "category": set(labels.categories),
        "priority": set(labels.priorities),
        "subcategory": set(labels.subcategories),
    }
    chosen: dict[str, str] = {}
    confidences: dict[str, float] = {}
    for name, values in allowed.items():
        value = answer.get(name)
        if value in (None, "") and name not in ("queue", "priority"):
            continue
        if not isinstance(value, str) or value not in values:
            raise LLMUnavailable(f"Claude answered {name}={value!r}, which is not allowed.")
        chosen[name] = value
        confidences[name] = _confidence(answer.get(f"{name}_confidence", answer.get("confidence")))
    return chosen, confidences


def _confidence(raw: object) -> float:
    """A stated confidence within [0, 1]; no usable figure: a middling one sends doubts to triage."""
    if isinstance(raw, int | float | str):
        try:
            return min(1.0, max(0.0, float(raw)))
        except ValueError:
            pass
    return 0.5


def classify(*, text: str, context: dict | None = None, ticket_language: str = "") -> Prediction:
    if not is_configured():
        raise LLMUnavailable("ANTHROPIC_API_KEY is not set.")
    started = time.perf_counter()
    context = context or {}
    labels = live_labels()
    if not labels.queues:
        raise LLMUnavailable("There are no queues to choose from.")
    tool = tool_schema(labels)
    model = model_name()
    forced: ToolChoiceToolParam = {"type": "tool", "name": TOOL_NAME}
    try:
        prompt: MessageParam = {
            "role": "user",
            "content": user_prompt(
                text=text, context=context, similar=local.similar_tickets(text, 3)
            ),
        }
        message = _client().messages.create(
            model=model,
            max_tokens=MAX_TOKENS,
            system=system_prompt(labels),
            messages=[prompt],
            tools=[tool],
            tool_choice=forced,
        )
    except anthropic.AnthropicError as exc:
        raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
    except (ValueError, TypeError) as exc:  # an answer the SDK could not parse
        raise LLMUnavailable(f"Malformed answer: {exc}") from exc
    block = next(
        (
            b
            for b in (getattr(message, "content", None) or [])
            if getattr(b, "type", "") == "tool_use" and getattr(b, "name", "") == TOOL_NAME
        ),
        None,
    )
    if block is None or not isinstance(block.input, dict):
        raise LLMUnavailable("Claude did not call route_ticket.")
    chosen, stated = _validated(block.input, labels)
    # what Claude states, mapped to how often its statements turned out right
    confidences = {name: calibrated("claude", name, value) for name, value in stated.items()}
    usage = getattr(message, "usage", None)
    input_tokens = int(getattr(usage, "input_tokens", 0) or 0)
    output_tokens = int(getattr(usage, "output_tokens", 0) or 0)
    language = block.input.get("language")
    if not isinstance(language, str) or not language.isalpha() or len(language) > 3:
        language = ticket_language or detect_language(text, locale=str(context.get("locale") or ""))
    return Prediction(
        source="claude",
        model_name=getattr(message, "model", None) or model,
        model_version=model,
        labels=chosen,
        confidences=confidences,
        # Claude's own statement, as logged (the calibration is fitted on these)
        probabilities={name: {label: stated[name]} for name, label in chosen.items()},
        language=language.lower(),
        top_words=[],
        latency_ms=(time.perf_counter() - started) * 1000,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost_usd(model, input_tokens, output_tokens),
    )
