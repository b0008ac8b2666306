"""Stand-ins for the classifiers, passed to `ticket_route` (dependency injection, no patching)."""

from routing.classifier import Prediction


def prediction(
    *, source="local", version="7", language="", top_words=(), tokens=(0, 0), cost=0.0, **fields
) -> Prediction:
    """`prediction(queue=("billing", 0.93), category=("billing", 0.9))`."""
    return Prediction(
        source=source,
        model_name="local" if source == "local" else "claude-test",
        model_version=version,
        labels={name: label for name, (label, _) in fields.items()},
        confidences={name: confidence for name, (_, confidence) in fields.items()},
        probabilities={name: {label: confidence} for name, (label, confidence) in fields.items()},
        language=language,
        top_words=list(top_words),
        latency_ms=0.4,
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        cost_usd=cost,
    )


class FakePredictor:
    """Answers with a fixed prediction (or None: no model trained) and records its calls."""

    def __init__(self, answer: Prediction | None = None, by_queue: dict | None = None):
        self.answer = answer
        self.by_queue = by_queue or {}  # queue slug in context → answer (sub-category step)
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, text: str, context: dict):
        self.calls.append((text, dict(context)))
        if context.get("queue") in self.by_queue:
            return self.by_queue[context["queue"]]
        return self.answer


class CrashingPredictor:
    def __call__(self, text, context):
        raise RuntimeError("model file is corrupt")


class FakeLLM:
    class LLMUnavailable(Exception):
        pass

    def __init__(self, answer: Prediction | None = None, *, configured=True, fail: str = ""):
        self.answer = answer
        self.configured = configured
        self.fail = fail
        self.calls: list[dict] = []

    def is_configured(self) -> bool:
        return self.configured

    def classify(self, *, text, context, ticket_language):
        self.calls.append({"text": text, "context": context, "language": ticket_language})
        if self.fail:
            raise self.LLMUnavailable(self.fail)
        return self.answer


NO_LLM = FakeLLM(configured=False)
