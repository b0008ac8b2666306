"""The classifiers behind routing. The decision policy (routing/services.py) talks to them only
through `Prediction` and the functions named here:

- `routing.classifier.local.predict(text: str, context: dict) -> Prediction | None`
  (None when no model is trained yet)
- `routing.classifier.llm.classify(*, text, context, ticket_language) -> Prediction`
  raises `routing.classifier.llm.LLMUnavailable` on timeouts, rate limits, API errors or
  answers with labels that are not allowed; `llm.is_configured()` says whether a key is set.
"""

from dataclasses import dataclass, field


@dataclass
class Prediction:
    source: str  # "local" or "claude"
    model_name: str
    model_version: str
    labels: dict[str, str]  # field ("queue", "category", "priority", "subcategory") → label
    confidences: dict[str, float]  # field → calibrated probability of the chosen label
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)  # top few per field
    language: str = ""
    top_words: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
