"""import_tickets, train_classifier and evaluate_classifier on small CSV files."""

import csv
import json
import random

import pytest
from django.core.management import CommandError, call_command

from routing.models import ClassificationLog, ClassifierModel
from routing.tests.classifier_support import VOCABULARY, model_dir, sentence  # noqa: F401
from tickets.models import Category, Queue, Status, Ticket

pytestmark = pytest.mark.django_db
PRIORITY = {"Billing": "medium", "Tech Support": "high", "Sales": "low"}
TOPIC = {"Billing": "billing", "Tech Support": "tech", "Sales": "sales"}


def write_csv(path, rows: int = 60, seed: int = 0):
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Short description", "Description", "Team", "Kind", "Prio", "lang"])
        for i in range(rows):
            team = list(TOPIC)[i % 3]
            writer.writerow(
                [
                    sentence(TOPIC[team], rng, 4),
                    sentence(TOPIC[team], rng),
                    team,
                    f"{TOPIC[team]} issue",
                    PRIORITY[team],
                    "en",
                ]
            )
    return path


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


IMPORT = [
    "--text",
    "Short description,Description",
    "--label",
    "queue=Team",
    "--label",
    "category=Kind",
    "--label",
    "priority=Prio",
    "--label",
    "language=lang",
]


def test_import_stores_resolved_history_with_labels_and_no_routing(tmp_path):
    path = write_csv(tmp_path / "history.csv")

    out = run("import_tickets", str(path), *IMPORT)

    assert "Imported 60 tickets." in out
    assert set(Queue.objects.values_list("slug", flat=True)) == {"billing", "tech-support", "sales"}
    assert Queue.objects.get(slug="tech-support").name == "Tech Support"
    assert Category.objects.filter(slug="billing-issue").exists()
    tickets = Ticket.objects.all()
    assert tickets.count() == 60
    assert set(tickets.values_list("status", flat=True)) == {Status.RESOLVED}
    first = tickets.order_by("created_at").first()
    assert first.queue.slug == "billing" and first.category.slug == "billing-issue"
    assert first.priority == "normal"  # "medium" maps to the contract's normal
    assert set(tickets.filter(queue__slug="sales").values_list("priority", flat=True)) == {"low"}
    assert len(first.subject.split()) == 4 and len(first.body.split()) == 7
    assert first.language == "en" and first.resolved_at is not None
    assert ClassificationLog.objects.count() == 0  # the pipeline did not run
    assert first.routing_reason == ""


def test_import_reuses_existing_queues(tmp_path):
    Queue.objects.create(slug="billing", name="Billing desk")
    path = write_csv(tmp_path / "history.csv", rows=6)

    out = run("import_tickets", str(path), *IMPORT)

    assert Queue.objects.get(slug="billing").name == "Billing desk"
    assert "Created queues: tech-support, sales" in out


def test_single_text_column_long_text_is_split_into_subject_and_body(tmp_path):
    path = tmp_path / "one.csv"
    long_text = "word " * 120
    path.write_text(f"text,category\n{long_text},card\nshort one,cash\n", encoding="utf-8")

    run("import_tickets", str(path), "--text", "text", "--label", "category=category")

    long = Ticket.objects.get(category__slug="card")
    assert len(long.subject) <= 255 and long.body
    assert (long.subject + " " + long.body).split() == long_text.split()
    assert Ticket.objects.get(category__slug="cash").subject == "short one"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--text", "Nope"], r"Column\(s\) not in the file: Nope"),
        (["--text", "Description", "--label", "team=Team"], "Unknown label field 'team'"),
        (["--text", "Description", "--label", "queue"], "FIELD=COLUMN"),
        (["--text", "Description", "--label", "queue=Missing"], "Missing"),
    ],
)
def test_import_refuses_bad_mappings_clearly(tmp_path, args, message):
    path = write_csv(tmp_path / "history.csv", rows=3)
    with pytest.raises(CommandError, match=message):
        run("import_tickets", str(path), *args)
    assert Ticket.objects.count() == 0


def test_import_of_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import_tickets", str(tmp_path / "nope.csv"), "--text", "a")


def test_train_then_evaluate_json(tmp_path, model_dir):  # noqa: F811
    run("import_tickets", str(write_csv(tmp_path / "history.csv", rows=90)), *IMPORT)

    out = run("train_classifier")

    active = ClassifierModel.objects.get(is_active=True)
    assert f"Classifier v{active.version} (active)" in out
    assert "queue: accuracy" in out
    test_csv = write_csv(tmp_path / "test.csv", rows=30, seed=1)
    before = Ticket.objects.count()

    report = json.loads(
        run(
            "evaluate_classifier",
            str(test_csv),
            "--json",
            "--text",
            "Short description,Description",
            "--label",
            "queue=Team",
            "--label",
            "priority=Prio",
        )
    )

    assert Ticket.objects.count() == before  # nothing stored
    assert report["rows"] == 30
    assert set(report["fields"]) == {"queue", "priority"}
    queue = report["fields"]["queue"]
    assert {"accuracy", "macro_f1", "ece", "per_class"} <= set(queue)
    assert queue["accuracy"] == 1.0 and queue["macro_f1"] == 1.0
    assert 0.0 <= queue["ece"] <= 0.5
    assert set(queue["per_class"]) == {"billing", "tech-support", "sales"}
    assert queue["per_class"]["sales"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 10,
    }


def test_evaluate_text_report_has_per_class_rows_and_confusions(tmp_path, model_dir):  # noqa: F811
    run("import_tickets", str(write_csv(tmp_path / "history.csv", rows=90)), *IMPORT)
    run("train_classifier")
    path = tmp_path / "test.csv"
    rows = [["crash error login bug", "Billing"], ["invoice refund charged", "Billing"]]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["text", "team"], *rows])

    out = run("evaluate_classifier", str(path), "--text", "text", "--label", "queue=team")

    assert "queue: accuracy 0.500, macro-F1" in out
    assert "billing → tech-support: 1" in out
    assert "ECE" in out


def test_evaluate_without_model_is_an_error(tmp_path, model_dir):  # noqa: F811
    path = write_csv(tmp_path / "test.csv", rows=3)
    with pytest.raises(CommandError, match="train_classifier"):
        run("evaluate_classifier", str(path), "--text", "Description", "--label", "queue=Team")


def test_train_without_history_is_an_error(model_dir):  # noqa: F811
    with pytest.raises(CommandError, match="at least"):
        run("train_classifier")
