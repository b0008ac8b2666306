"""`evaluate_classifier FILE.csv --text ... --label FIELD=COL ... [--json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from routing.classifier.csvio import LABEL_FIELDS, MappingError, count_rows, parse_mapping
from routing.classifier.evaluation import NoActiveModel, classifier_evaluate_csv


class Command(BaseCommand):
    help = (
        "Classify every row of a labelled CSV with the active classifier (nothing is stored) and "
        "print accuracy, macro-F1, per-class precision/recall/F1, the most frequent confusions "
        "and the expected calibration error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--text", required=True, help="Text column(s), comma-separated.")
        parser.add_argument(
            "--label",
            action="append",
            default=[],
            metavar="FIELD=COL",
            help=f"Label column for FIELD ({', '.join(LABEL_FIELDS)}); repeatable.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            mapping = parse_mapping(text=options["text"], labels=options["label"])
            if not mapping.labels:
                raise MappingError("Give at least one --label FIELD=COLUMN to compare with.")
            with tqdm(
                total=count_rows(path),
                unit="tickets",
                desc="evaluate",
                disable=options["no_progress"] or options["json"],
                file=self.stderr._out,
            ) as bar:
                result = classifier_evaluate_csv(path=path, mapping=mapping, progress=bar.update)
        except (MappingError, NoActiveModel) as exc:
            raise CommandError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        self._print(result)

    def _print(self, result) -> None:
        self.stdout.write(
            f"{result.rows} rows, classifier v{result.model_version}; latency per ticket "
            f"p50 {result.latency(50):.2f} ms, p99 {result.latency(99):.2f} ms"
        )
        for name, figures in result.fields.items():
            self.stdout.write("")
            self.stdout.write(
                f"{name}: accuracy {figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f}, "
                f"ECE {figures['ece']:.3f} ({figures['rows']} labelled rows)"
            )
            self.stdout.write(f"  {'class':<32} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>6}")
            for label, c in figures["per_class"].items():
                self.stdout.write(
                    f"  {label[:32]:<32} {c['precision']:>6.3f} {c['recall']:>6.3f} "
                    f"{c['f1']:>6.3f} {c['support']:>6}"
                )
            if figures["confusions"]:
                self.stdout.write("  most confused (true → predicted):")
                for pair in figures["confusions"][:5]:
                    self.stdout.write(f"    {pair['true']} → {pair['predicted']}: {pair['count']}")
