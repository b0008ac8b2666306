"""Retraining: a candidate replaces the active model only if it scores better on the most
recent history; the schedule and the on-demand trigger run the same task."""

import pytest
from django_celery_beat.models import PeriodicTask

from routing import tasks
from routing.classifier import local
from routing.classifier.history import Row, training_rows
from routing.classifier.store import classifier_model_save
from routing.classifier.training import classifier_retrain, classifier_train, model_fit
from routing.models import ClassifierModel
from routing.tests.classifier_support import make_history, model_dir  # noqa: F401
from tickets.models import Queue, Ticket

pytestmark = pytest.mark.django_db


def test_first_candidate_is_kept_when_nothing_is_active(model_dir):  # noqa: F811
    make_history()

    result = classifier_retrain()

    assert result.kept and result.field == "queue"
    assert result.model.is_active and result.model.trained_on == 90  # refitted on everything
    assert result.model.metrics["holdout_rows"] == 18
    assert result.model.metrics["holdout"]["queue"]["macro_f1"] == result.candidate_score
    assert local.predict("refund my invoice", {}).model_version == str(result.model.version)


def test_candidate_that_beats_the_active_model_replaces_it(model_dir):  # noqa: F811
    make_history()
    # The active model learned the wrong queues (billing and tech swapped).
    swapped = {"billing": "tech", "tech": "billing"}
    wrong = [
        Row(text=r.text, queue=swapped.get(r.queue, r.queue), category=r.category)
        for r in training_rows()
    ]
    old = classifier_model_save(model=model_fit(wrong), metrics={}, trained_on=90, activate=True)

    result = classifier_retrain()

    assert result.kept
    assert result.active_score < result.candidate_score
    assert ClassifierModel.objects.get(is_active=True) == result.model != old
    assert local.predict("refund my invoice charged", {}).labels["queue"] == "billing"


def test_candidate_that_does_not_beat_the_active_model_is_recorded_and_discarded(model_dir):  # noqa: F811
    make_history()
    active = classifier_train()
    # Then most of the older history is mislabelled (a bulk edit gone wrong); the recent slice
    # is still right, so the candidate learned from bad labels scores lower there.
    tech = Queue.objects.get(slug="tech")
    old_billing = Ticket.objects.filter(queue__slug="billing").order_by("created_at")[:25]
    Ticket.objects.filter(pk__in=[t.pk for t in old_billing]).update(queue=tech)
    Ticket.objects.filter(queue__slug="billing").update(
        created_at=Ticket.objects.latest("created_at").created_at
    )

    result = classifier_retrain()

    assert not result.kept
    assert result.candidate_score < result.active_score
    assert ClassifierModel.objects.get(is_active=True) == active
    assert result.model.is_active is False and result.model.path == ""
    assert result.model.notes.startswith("discarded:")
    assert "active_holdout" in result.model.metrics
    assert local.predict("refund my invoice", {}).model_version == str(active.version)


def test_too_little_history_changes_nothing(model_dir):  # noqa: F811
    result = classifier_retrain()
    assert not result.kept and "at least" in result.reason
    assert not ClassifierModel.objects.exists()


def test_task_runs_the_retraining_and_says_what_it_decided(model_dir):  # noqa: F811
    make_history()
    assert tasks.classifier_retrain_task.delay().get().startswith("kept: ")
    assert ClassifierModel.objects.filter(is_active=True).count() == 1


def test_on_demand_request_runs_after_commit(model_dir, django_capture_on_commit_callbacks):  # noqa: F811
    make_history()
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.classifier_retrain_request()
    assert not ClassifierModel.objects.exists()  # nothing runs before the commit

    for callback in callbacks:
        callback()

    assert ClassifierModel.objects.filter(is_active=True).exists()


def test_a_second_retraining_at_the_same_time_is_skipped(model_dir):  # noqa: F811
    from django.core.cache import cache

    cache.set(tasks.LOCK_KEY, "1", 60)
    try:
        assert tasks.classifier_retrain_task.delay().get().startswith("skipped")
    finally:
        cache.delete(tasks.LOCK_KEY)


def test_nightly_schedule_exists():
    task = PeriodicTask.objects.get(name="routing: retrain classifier")
    assert task.task == "routing.tasks.classifier_retrain" and task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")


def test_an_agents_correction_is_learned_by_the_next_training(model_dir, manager):  # noqa: F811
    from journey.services import ticket_correct

    make_history(per_queue=20)
    sales = Queue.objects.get(slug="sales")
    # An open ticket routed to tech, which an agent moves to sales: it enters the training set.
    ticket = Ticket.objects.create(
        subject="zebra", body="zebra zebra", queue=Queue.objects.get(slug="tech")
    )
    for _ in range(4):
        Ticket.objects.create(subject="zebra", body="zebra zebra", queue=sales, status="resolved")

    ticket_correct(ticket=ticket, user=manager, queue=sales, reason="wrong queue")
    classifier_train()

    texts = [r for r in training_rows() if "zebra" in r.text]
    assert len(texts) == 5 and {r.queue for r in texts} == {"sales"}
    assert local.predict("zebra zebra", {}).labels["queue"] == "sales"
