"""Scoring the active configuration on a labelled CSV without storing anything."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import local, metrics
from .csvio import Mapping, normalise, read_rows
from .importing import split_single_text
from .text import ticket_text


class NoActiveModel(Exception):
    pass


@dataclass
class Evaluation:
    rows: int
    fields: dict[str, dict]
    model_version: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # CPU time of the same calls

    def latency(self, q: float, *, cpu: bool = False) -> float:
        values = self.cpu_ms if cpu else self.latencies_ms
        return float(np.percentile(values, q)) if values else 0.0

    def as_json(self) -> dict:
        return {"rows": self.rows, "fields": self.fields}


def classifier_evaluate_csv(
    *, path: Path, mapping: Mapping, progress: Callable[[int], None] | None = None
) -> Evaluation:
    """Classify each row as a new ticket would be (same text, same model) and compare with the
    row's labels. Language is scored against the offline detector, which has no confidence
    figure: it counts as certain, so its ECE is simply its error rate."""
    if local.active() is None:
        raise NoActiveModel("No classifier is active: run train_classifier first.")
    truth: dict[str, list[str]] = {f: [] for f in mapping.labels}
    predicted: dict[str, list[str]] = {f: [] for f in mapping.labels}
    confidence: dict[str, list[float]] = {f: [] for f in mapping.labels}
    latencies: list[float] = []
    cpu: list[float] = []
    single = len(mapping.text) == 1
    version = ""
    count = 0
    for row in read_rows(path, mapping):
        count += 1
        subject, body = (
            split_single_text(row["subject"]) if single else (row["subject"], row["body"])
        )
        cpu_started = time.thread_time()
        prediction = local.predict(ticket_text(subject, body), {})
        cpu.append((time.thread_time() - cpu_started) * 1000)
        if prediction is None:
            raise NoActiveModel("The active classifier could not be loaded.")
        version = prediction.model_version
        latencies.append(prediction.latency_ms)
        for name in mapping.labels:
            expected = normalise(name, row["labels"][name])
            if not expected:
                continue
            if name == "language":
                got, conf = prediction.language, 1.0
            else:
                got = prediction.labels.get(name, "")
                conf = prediction.confidences.get(name, 0.0)
            truth[name].append(expected)
            predicted[name].append(got or "(none)")
            confidence[name].append(conf)
        if progress:
            progress(1)
    fields = {
        name: metrics.field_report(
            y_true=truth[name], y_pred=predicted[name], confidence=confidence[name]
        )
        for name in mapping.labels
    }
    return Evaluation(count, fields, version, latencies, cpu)
