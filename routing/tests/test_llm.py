"""Claude as a classifier, through the real anthropic SDK against a local fake Messages API."""

import pytest

from routing.classifier import llm
from routing.classifier.training import classifier_train
from routing.tests.classifier_support import make_history, model_dir  # noqa: F401
from routing.tests.fake_anthropic import FakeAnthropic
from tickets.models import Category, Queue

pytestmark = pytest.mark.django_db

GOOD = {
    "queue": "billing",
    "queue_confidence": 0.92,
    "category": "billing-issue",
    "category_confidence": 0.88,
    "priority": "high",
    "priority_confidence": 0.7,
    "language": "de",
    "reason": "Charged twice.",
}


@pytest.fixture
def fake(settings):
    server = FakeAnthropic().start()
    settings.ANTHROPIC_API_KEY = "test-key"
    settings.ANTHROPIC_BASE_URL = server.base_url
    settings.HELPDESK_LLM_MODEL = "claude-haiku-4-5"
    settings.HELPDESK_LLM_TIMEOUT = 0.5
    server.tool_input = dict(GOOD)
    yield server
    server.stop()


@pytest.fixture
def labels(db):
    Queue.objects.create(slug="billing", name="Billing", description="Invoices, charges, refunds.")
    Queue.objects.create(slug="tech", name="Tech", description="Crashes and login problems.")
    Queue.objects.create(slug="triage", name="Triage", is_triage=True)
    Category.objects.create(slug="billing-issue", name="Billing issue")
    Category.objects.create(slug="tech-issue", name="Tech issue")


def classify():
    return llm.classify(text="Ich wurde doppelt belastet", context={"platform": "ios"})


def test_is_configured_follows_the_api_key(settings):
    settings.ANTHROPIC_API_KEY = None
    assert llm.is_configured() is False
    with pytest.raises(llm.LLMUnavailable):
        classify()
    settings.ANTHROPIC_API_KEY = "sk-test"
    assert llm.is_configured() is True


def test_tool_answer_becomes_a_prediction_with_tokens_and_cost(fake, labels):
    prediction = classify()

    assert prediction.source == "claude"
    assert prediction.labels == {
        "queue": "billing",
        "category": "billing-issue",
        "priority": "high",
    }
    assert prediction.confidences == {"queue": 0.92, "category": 0.88, "priority": 0.7}
    assert prediction.language == "de"
    assert (prediction.input_tokens, prediction.output_tokens) == (420, 38)
    # claude-haiku-4-5: $1 per million input tokens, $5 per million output tokens
    assert prediction.cost_usd == pytest.approx((420 * 1 + 38 * 5) / 1_000_000)


def test_request_forces_the_tool_and_enumerates_the_live_labels(fake, labels):
    classify()

    body = fake.requests[-1]["json"]
    headers = fake.requests[-1]["headers"]
    assert "test-key" in (headers.get("x-api-key", "") + headers.get("authorization", ""))
    assert body["model"] == "claude-haiku-4-5"
    assert body["tool_choice"] == {"type": "tool", "name": "route_ticket"}
    schema = body["tools"][0]["input_schema"]["properties"]
    assert schema["queue"]["enum"] == ["billing", "tech"]  # active, not the triage queue
    assert schema["category"]["enum"] == ["billing-issue", "tech-issue"]
    assert schema["priority"]["enum"] == ["low", "normal", "high", "urgent"]
    assert "Invoices, charges, refunds." in body["system"]
    assert "Ich wurde doppelt belastet" in body["messages"][0]["content"]


def test_similar_resolved_tickets_are_in_the_prompt(fake, model_dir):  # noqa: F811
    make_history()
    classifier_train()

    llm.classify(text="refund for a double charge on my invoice", context={})

    prompt = fake.requests[-1]["json"]["messages"][0]["content"]
    assert "Similar resolved tickets" in prompt
    assert prompt.count("queue=billing") == 3


@pytest.mark.parametrize(
    "answer",
    [
        {**GOOD, "queue": "marketing"},  # not a queue
        {**GOOD, "priority": "critical"},  # not a priority
        {**GOOD, "category": "fraud"},
        {key: value for key, value in GOOD.items() if key != "queue"},
    ],
)
def test_unknown_or_missing_label_is_refused(fake, labels, answer):
    fake.tool_input = answer
    with pytest.raises(llm.LLMUnavailable, match="not allowed"):
        classify()


@pytest.mark.parametrize("mode", ["429", "500", "malformed", "no_tool", "slow"])
def test_api_failures_become_llm_unavailable(fake, labels, mode):
    fake.mode = mode
    fake.delay = 2.0  # over the 0.5 s timeout set for the tests
    with pytest.raises(llm.LLMUnavailable):
        classify()
    assert len(fake.requests) == 1  # no retries: the fallback must come quickly


def test_no_queues_means_unavailable(fake):
    with pytest.raises(llm.LLMUnavailable):
        classify()
    assert fake.requests == []


def test_price_table_matches_dated_model_names():
    assert llm.price("claude-sonnet-4-5-20250929") == (3.0, 15.0)
    assert llm.price("claude-opus-4-1-20250805") == (15.0, 75.0)
    assert llm.cost_usd("claude-haiku-4-5", 1_000_000, 0) == 1.0
