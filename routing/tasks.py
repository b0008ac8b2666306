"""Celery tasks of the routing app (thin: they call one service)."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from .classifier.training import classifier_retrain

logger = logging.getLogger(__name__)
LOCK_KEY = "routing:classifier-retrain"
LOCK_SECONDS = 30 * 60


@shared_task(name="routing.tasks.classifier_retrain", acks_late=True)
def classifier_retrain_task() -> str:
    """Train a candidate and keep it only if it beats the active model on recent history.
    Beat runs it nightly (PeriodicTask "routing: retrain classifier"); one run at a time."""
    if not cache.add(LOCK_KEY, "1", LOCK_SECONDS):
        return "skipped: a retraining is already running"
    try:
        result = classifier_retrain()
    finally:
        cache.delete(LOCK_KEY)
    logger.info("Classifier retraining: %s", result.reason)
    return ("kept: " if result.kept else "not kept: ") + result.reason


def classifier_retrain_request() -> None:
    """On-demand retraining (the admin's button): queued once the current transaction commits."""
    transaction.on_commit(classifier_retrain_task.delay)
