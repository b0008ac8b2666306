"""Routing classifier benchmark (issue #3): for each labelled development set in
../shared/datasets, a stratified 80/20 split of our own; import the 80% with `import_tickets`,
train with `train_classifier`, classify the 20% one ticket at a time with `local.predict` (what
`evaluate_classifier` does) and report macro-F1, accuracy, ECE, import and training time and the
latency per ticket (p50/p99). Then the scale check: import and train on 40,000 tickets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench_routing \
    .venv/bin/python bench/routing.py [--quick] [--only it_service,banking77] [--no-scale]

`--quick` caps each set at 3,000 training and 600 test rows and skips the scale check. The
database is created if missing and its tickets, queues, categories and classifier versions are
wiped before each set: never point it at a database you care about (its name must contain
"bench"). Models go to a temporary directory."""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.benchdb import ensure_database  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hd_bench_routing")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
os.environ["DEBUG"] = "false"
os.environ.setdefault("HELPDESK_MODEL_DIR", tempfile.mkdtemp(prefix="bench-models-"))

DATA = ROOT.parent / "shared" / "datasets"
# name: (file, text columns, {field: label column}, target macro-F1 of the first field)
SETS = {
    "it_service": ("it_service/train.csv", ["Document"], {"queue": "Topic_group"}, 0.88),
    "itsm_assignment": (
        "itsm_assignment/train.csv",
        ["Short description", "Description"],
        {"queue": "Assignment group"},
        0.45,
    ),
    "customer_support_multilang": (
        "customer_support_multilang/dev.csv",
        ["subject", "body"],
        {"queue": "queue", "priority": "priority", "language": "language"},
        0.40,
    ),
    "banking77": ("banking77/train.csv", ["text"], {"category": "category"}, 0.90),
}
csv.field_size_limit(2**31 - 1)


def read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def stratified_split(rows: list[dict], column: str, rng: random.Random, test: float = 0.2):
    """Per class, 20% to test (classes with a single row stay in training)."""
    by_class: dict[str, list[dict]] = {}
    for row in rows:
        by_class.setdefault(row[column], []).append(row)
    train, held = [], []
    for members in by_class.values():
        rng.shuffle(members)
        n_test = int(round(len(members) * test)) if len(members) > 1 else 0
        held += members[:n_test]
        train += members[n_test:]
    rng.shuffle(train)
    rng.shuffle(held)
    return train, held


def write(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def wipe() -> None:
    from routing.classifier import local
    from routing.models import ClassificationLog, ClassifierModel
    from tickets.models import Category, Queue, Ticket

    ClassificationLog.objects.all().delete()
    Ticket.objects.all().delete()
    Category.objects.all().delete()
    Queue.objects.all().delete()
    ClassifierModel.objects.all().delete()
    local.invalidate()


def label_args(labels: dict[str, str]) -> list[str]:
    return [arg for field, col in labels.items() for arg in ("--label", f"{field}={col}")]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_command(*args) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) of one management command."""
    from django.core.management import call_command

    started, cpu = time.perf_counter(), cpu_seconds()
    call_command(*args, "--no-progress", stdout=StringIO(), stderr=StringIO())
    return time.perf_counter() - started, cpu_seconds() - cpu


def run_set(name: str, quick: bool, tmp: Path, rng: random.Random) -> dict[str, Any]:
    from routing.classifier.csvio import parse_mapping
    from routing.classifier.evaluation import classifier_evaluate_csv

    file, text_cols, labels, target = SETS[name]
    columns, rows = read(DATA / file)
    first = next(iter(labels.values()))
    train, held = stratified_split(rows, first, rng)
    if quick:
        train, held = train[:3000], held[:600]
    train_csv = write(tmp / f"{name}-train.csv", columns, train)
    test_csv = write(tmp / f"{name}-test.csv", columns, held)
    wipe()
    import_s = timed_command(
        "import_tickets", str(train_csv), "--text", ",".join(text_cols), *label_args(labels)
    )
    train_s = timed_command("train_classifier")
    mapping = parse_mapping(text=",".join(text_cols), labels=label_args(labels)[1::2])
    result = classifier_evaluate_csv(path=test_csv, mapping=mapping)
    return {
        "name": name,
        "train_rows": len(train),
        "test_rows": len(held),
        "target": target,
        "classes": len(Counter(r[first] for r in rows)),
        "import_s": import_s,
        "train_s": train_s,
        "p50": result.latency(50),
        "p99": result.latency(99),
        "cpu_p50": result.latency(50, cpu=True),
        "cpu_p99": result.latency(99, cpu=True),
        "fields": result.fields,
    }


def scale_check(tmp: Path) -> dict[str, Any]:
    """40,000 tickets: all of it_service plus banking77 rows to make up the number."""
    columns_it, it_rows = read(DATA / "it_service/train.csv")
    _, bank = read(DATA / "banking77/train.csv")
    rows = [{"text": r["Document"], "label": r["Topic_group"]} for r in it_rows]
    rows += [{"text": r["text"], "label": r["category"]} for r in bank[: 40_000 - len(rows)]]
    path = write(tmp / "scale.csv", ["text", "label"], rows)
    wipe()
    import_s = timed_command(
        "import_tickets", str(path), "--text", "text", "--label", "queue=label"
    )
    train_s = timed_command("train_classifier")
    return {"rows": len(rows), "import_s": import_s, "train_s": train_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="Comma-separated dataset names.")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"], bench_only=True)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    names = [n for n in (args.only.split(",") if args.only else SETS) if n]
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print(
        "| dataset | field | train / test rows | classes | macro-F1 (target) | accuracy | ECE "
        "| import s | train s (CPU s) | p50 / p99 ms | CPU p50 / p99 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            r = run_set(name, args.quick, Path(tmp), rng)
            for i, (field, f) in enumerate(r["fields"].items()):
                target = f" ({r['target']:.2f})" if i == 0 else ""
                print(
                    f"| {name} | {field} | {r['train_rows']} / {r['test_rows']} | "
                    f"{len(f['per_class'])} | {f['macro_f1']:.3f}{target} | {f['accuracy']:.3f} | "
                    f"{f['ece']:.3f} | {r['import_s'][0]:.1f} | "
                    f"{r['train_s'][0]:.1f} ({r['train_s'][1]:.1f}) | "
                    f"{r['p50']:.2f} / {r['p99']:.2f} | {r['cpu_p50']:.2f} / {r['cpu_p99']:.2f} |",
                    flush=True,
                )
        if not (args.quick or args.no_scale):
            s = scale_check(Path(tmp))
            print(
                f"\nScale: {s['rows']} tickets imported in {s['import_s'][0]:.1f} s "
                f"(CPU {s['import_s'][1]:.1f} s), trained in {s['train_s'][0]:.1f} s "
                f"(CPU {s['train_s'][1]:.1f} s; train_classifier end to end); load average "
                f"{os.getloadavg()[0]:.1f}."
            )
        wipe()


if __name__ == "__main__":
    main()
