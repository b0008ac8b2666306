"""`import_tickets FILE.csv --text COL[,COL...] --label FIELD=COL ...`: load handled tickets."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from routing.classifier.csvio import LABEL_FIELDS, MappingError, count_rows, parse_mapping
from routing.classifier.importing import tickets_import


class Command(BaseCommand):
    help = (
        "Load historical, already-handled tickets from a CSV file as resolved tickets, creating "
        "missing queues and categories. The routing pipeline does not run on them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--text",
            required=True,
            help="Text column(s), comma-separated: the first is the subject, the rest the body.",
        )
        parser.add_argument(
            "--label",
            action="append",
            default=[],
            metavar="FIELD=COL",
            help=f"Label column for FIELD ({', '.join(LABEL_FIELDS)}); repeatable.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            mapping = parse_mapping(text=options["text"], labels=options["label"])
            total = count_rows(path)
            with tqdm(
                total=total,
                unit="tickets",
                desc="import",
                disable=options["no_progress"],
                file=self.stderr._out,
            ) as bar:
                result = tickets_import(
                    path=path, mapping=mapping, total=total, progress=bar.update
                )
        except MappingError as exc:
            raise CommandError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        self.stdout.write(f"Imported {result.rows} tickets.")
        if result.queues_created:
            self.stdout.write(f"Created queues: {', '.join(result.queues_created)}")
        if result.categories_created:
            self.stdout.write(f"Created categories: {', '.join(result.categories_created)}")
        if result.unknown_priorities:
            self.stdout.write(
                f"{result.unknown_priorities} rows had a priority outside low/normal/high/urgent "
                "(and their usual synonyms); they were stored as normal."
            )
