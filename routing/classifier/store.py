"""Model versions on disk (joblib under HELPDESK_MODEL_DIR) and their ClassifierModel rows."""

import os
import tempfile
from pathlib import Path

import joblib
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from routing.models import ClassifierModel

from . import recheck
from .model import TextModel

KIND = "tfidf-word-char-svm-temp"


def model_dir() -> Path:
    path = Path(settings.HELPDESK_MODEL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def model_path(row: ClassifierModel) -> Path:
    return model_dir() / row.path


def model_load(row: ClassifierModel) -> TextModel:
    return joblib.load(model_path(row))


def _write(model: TextModel, name: str) -> None:
    """Write to a temporary file and rename it into place, so no reader sees half a file."""
    directory = model_dir()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".joblib")
    os.close(fd)
    try:
        joblib.dump(model, tmp, compress=3)
        os.replace(tmp, directory / name)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def classifier_model_save(
    *,
    model: TextModel | None,
    metrics: dict,
    trained_on: int,
    notes: str = "",
    activate: bool = False,
) -> ClassifierModel:
    """Store a version (the file, then its row). A discarded candidate is saved with its metrics
    and no file (`model=None`), so the history shows why it was not kept."""
    for _ in range(5):
        try:
            with transaction.atomic():
                version = (ClassifierModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                name = f"classifier-v{version}.joblib" if model is not None else ""
                row = ClassifierModel.objects.create(
                    version=version,
                    kind=KIND,
                    path=name,
                    fields=model.fields if model is not None else metrics.get("fields_list", []),
                    metrics=metrics,
                    trained_on=trained_on,
                    notes=notes,
                )
            break
        except IntegrityError:  # two trainings took the same number at once: take the next
            continue
    else:
        raise RuntimeError("Could not allocate a classifier version.")
    if model is not None:
        _write(model, name)
    if activate:
        classifier_model_activate(model_row=row)
    return row


@transaction.atomic
def classifier_model_activate(*, model_row: ClassifierModel) -> None:
    """Make one version the active one; running processes pick it up within seconds."""
    if not model_row.path:
        raise ValueError("A discarded candidate has no model file to activate.")
    ClassifierModel.objects.filter(is_active=True).exclude(pk=model_row.pk).update(is_active=False)
    ClassifierModel.objects.filter(pk=model_row.pk).update(is_active=True)
    model_row.is_active = True
    transaction.on_commit(recheck.invalidate)  # this process switches at once


def active_model_row() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(is_active=True).first()
