"""The local classifier: training from stored history, calibrated predictions, versions and the
swap to a newly activated version without a restart."""

import json

import pytest

from routing.classifier import local
from routing.classifier.store import classifier_model_activate
from routing.classifier.training import NotEnoughHistory, classifier_train
from routing.models import ClassifierModel
from routing.tests.classifier_support import make_history, model_dir  # noqa: F401

pytestmark = pytest.mark.django_db


def test_no_trained_model_means_no_prediction(model_dir):  # noqa: F811
    assert local.predict("my invoice was charged twice", {}) is None


def test_trained_model_predicts_queue_category_priority_with_calibrated_confidence(model_dir):  # noqa: F811
    make_history()
    row = classifier_train()

    prediction = local.predict("I was charged twice, please refund the invoice", {})

    assert row.is_active and row.version == 1
    assert (model_dir / row.path).is_file()
    assert prediction.source == "local"
    assert prediction.model_version == "1"
    assert prediction.labels == {
        "queue": "billing",
        "category": "billing-issue",
        "priority": "normal",
    }
    for name, confidence in prediction.confidences.items():
        assert 0.0 <= confidence <= 1.0
        top = prediction.probabilities[name]
        assert top[prediction.labels[name]] == pytest.approx(confidence, abs=1e-3)
        assert sum(top.values()) <= 1.0 + 1e-3
    assert prediction.confidences["queue"] > 0.6
    assert {"charged", "refund", "invoice"} & set(prediction.top_words)
    assert prediction.language == "en"


def test_probabilities_over_all_classes_sum_to_one(model_dir):  # noqa: F811
    make_history()
    classifier_train()
    model = local.active().model

    for text in ["app crash after login", "quote for an upgrade", "hello"]:
        x = model.transform([text])
        for head in model.heads.values():
            assert head.proba(x).sum() == pytest.approx(1.0)


def test_stored_metrics_are_cross_validated_figures(model_dir):  # noqa: F811
    make_history()
    row = classifier_train()

    figures = row.metrics["cross_validated"]["queue"]
    assert row.trained_on == 90
    assert set(row.fields) == {"queue", "category", "priority"}
    assert figures["rows"] == 90 and 0.9 <= figures["macro_f1"] <= 1.0
    assert 0.0 <= figures["ece"] <= 1.0


def test_too_little_history_is_refused(model_dir):  # noqa: F811
    make_history(per_queue=2)
    with pytest.raises(NotEnoughHistory):
        classifier_train()
    assert not ClassifierModel.objects.exists()


def test_new_version_is_used_without_restart_and_old_one_can_be_reactivated(model_dir):  # noqa: F811
    make_history()
    first = classifier_train()
    assert local.predict("refund for the invoice", {}).labels["queue"] == "billing"

    from tickets.models import Queue, Ticket

    payments = Queue.objects.create(slug="payments", name="Payments")
    Ticket.objects.filter(queue__slug="billing").update(queue=payments)
    second = classifier_train()

    prediction = local.predict("refund for the invoice", {})
    assert prediction.model_version == "2"
    assert prediction.labels["queue"] == "payments"
    assert list(ClassifierModel.objects.filter(is_active=True)) == [second]

    classifier_model_activate(model_row=first)
    assert local.predict("refund for the invoice", {}).labels["queue"] == "billing"


def test_processes_recheck_the_active_version_only_every_few_seconds(model_dir, settings):  # noqa: F811
    make_history()
    classifier_train()
    settings.HELPDESK_MODEL_CHECK_SECONDS = 3600
    assert local.predict("refund please", {}).model_version == "1"

    ClassifierModel.objects.update(is_active=False)  # another process switched models off

    assert local.predict("refund please", {}).model_version == "1"  # still cached, no query
    local.invalidate()
    assert local.predict("refund please", {}) is None


def test_missing_model_file_on_this_host_means_no_model(model_dir):  # noqa: F811
    make_history()
    row = classifier_train()
    (model_dir / row.path).unlink()
    local.invalidate()
    local._current = None

    assert local.predict("refund please", {}) is None


def test_subcategory_is_predicted_within_the_queue(model_dir):  # noqa: F811
    from tickets.models import Category, Ticket

    make_history()
    billing = Category.objects.get(slug="billing-issue")
    refund = Category.objects.create(slug="refund", name="Refund", parent=billing)
    invoice = Category.objects.create(slug="invoice-question", name="Invoice", parent=billing)
    for t in Ticket.objects.filter(queue__slug="billing"):
        t.subcategory = refund if "refund" in (t.subject + t.body) else invoice
        t.save(update_fields=["subcategory"])
    classifier_train()

    prediction = local.predict("refund refund refund my card payment", {})

    assert prediction.labels["queue"] == "billing"
    assert prediction.labels["subcategory"] == "refund"
    assert set(prediction.probabilities["subcategory"]) <= {"refund", "invoice-question"}
    tech = local.predict("app crash on login", {"queue": "tech"})
    assert "subcategory" not in tech.labels  # tech has no sub-categories


def test_large_noisy_history_gets_monotone_top_label_calibration():
    import random

    import numpy as np

    from routing.classifier.model import train_text_model
    from routing.tests.classifier_support import VOCABULARY, sentence

    rng = random.Random(3)
    topics = list(VOCABULARY)
    texts, labels = [], []
    for i in range(1200):
        topic = topics[i % 3]
        texts.append(sentence(topic, rng, 3) + " " + sentence(rng.choice(topics), rng, 3))
        labels.append(topic if rng.random() > 0.25 else rng.choice(topics))  # 25% noise

    model = train_text_model(texts, {"queue": labels})

    head = model.heads["queue"]
    assert len(head.iso_x) > 0
    raw = np.linspace(0.34, 1.0, 50)
    calibrated = head.confidence(raw)
    assert np.all(np.diff(calibrated) >= 0) and calibrated.min() >= 0 and calibrated.max() <= 1
    out = model.predict_one(sentence("billing", rng))
    assert out["labels"]["queue"] == "billing"
    assert 0.5 < out["confidences"]["queue"] < 1.0  # noisy labels: never certain
    assert sum(out["probabilities"]["queue"].values()) == pytest.approx(1.0, abs=1e-3)


def test_ticket_created_with_a_trained_model_is_routed_and_logged(model_dir):  # noqa: F811
    """The real local model behind the real pipeline: its output must be storable as JSON."""
    from journey.services import ticket_submit
    from routing.models import ClassificationLog

    make_history()
    classifier_train()

    ticket = ticket_submit(
        subject="Charged twice",
        body="Please refund the invoice, I was charged twice.",
        channel="api",
    ).ticket

    ticket.refresh_from_db()
    log = ClassificationLog.objects.get(ticket=ticket)
    assert log.source == "local"
    assert ticket.routing_reason
    assert json.loads(json.dumps(log.probabilities))["queue"]
    for name, top in local.predict("charged twice, refund", {}).probabilities.items():
        assert all(type(value) is float for value in top.values()), name  # plain floats, not numpy


def test_an_unseen_language_is_not_confidently_wrong():
    """Trained on English only, the model meets French tickets that borrow one English topic word
    (as real ones do: 'invoice', 'app') while their label depends on words it never learned.
    Their confidence is capped at what guessing the most common label scores, so the held-out
    expected calibration error stays small; without the per-language calibration it is not."""
    import random

    import numpy as np

    from routing.classifier.metrics import expected_calibration_error
    from routing.classifier.model import train_text_model
    from routing.tests.classifier_support import VOCABULARY, sentence

    rng = random.Random(5)
    topics = list(VOCABULARY)
    french = "bonjour merci votre compte depuis hier toujours problème avec encore aussi".split()

    def english(i: int) -> tuple[str, str]:
        topic = topics[i % 3]
        return sentence(topic, rng, 6), topic

    def unseen(i: int) -> tuple[str, str]:
        words = [rng.choice(french) for _ in range(8)] + [
            rng.choice(VOCABULARY[rng.choice(topics)].split())
        ]
        return " ".join(words), topics[i % 3]

    train = [english(i) for i in range(900)]
    model = train_text_model(
        [t for t, _ in train], {"queue": [q for _, q in train]}, languages=["en"] * len(train)
    )
    head = model.heads["queue"]
    assert head.languages["en"]["n"] == 900 and head.unseen_cap == pytest.approx(1 / 3, abs=0.01)

    held_out = [(*english(i), "en") for i in range(300)] + [(*unseen(i), "fr") for i in range(150)]
    x = model.transform([t for t, _, _ in held_out])
    truth = np.array([q for _, q, _ in held_out])
    best, calibrated = head.top(x, [lang for _, _, lang in held_out])
    correct = list(head.classes[best] == truth)
    french_rows = np.array([lang == "fr" for _, _, lang in held_out])
    assert np.all(calibrated[french_rows] <= head.unseen_cap + 1e-9)
    assert np.mean(np.array(correct)[~french_rows]) > 0.95
    assert expected_calibration_error(correct, list(calibrated)) <= 0.05
    _, blind = head.top(x)  # the same model without knowing the languages
    assert expected_calibration_error(correct, list(blind)) > 0.15
