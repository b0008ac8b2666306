"""`train_classifier`: train the local model on the stored history and make it the active one."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from routing.classifier.history import training_rows
from routing.classifier.training import NotEnoughHistory, classifier_train


class Command(BaseCommand):
    help = "Train the local classifier on the stored tickets' final labels and activate it."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-activate", action="store_true", help="Store it, keep the old one."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        rows = training_rows()
        self.stdout.write(f"Training on {len(rows)} tickets.")
        with tqdm(
            total=4,
            unit="step",
            desc="train",
            disable=options["no_progress"],
            file=self.stderr._out,
        ) as bar:
            try:
                row = classifier_train(
                    rows=rows,
                    activate=not options["no_activate"],
                    progress=lambda name: bar.update(1),
                )
            except NotEnoughHistory as exc:
                raise CommandError(str(exc)) from exc
            bar.update(bar.total - bar.n)
        state = "active" if row.is_active else "stored, not active"
        self.stdout.write(
            f"Classifier v{row.version} ({state}) trained in "
            f"{row.metrics['training_seconds']} s on {row.trained_on} tickets."
        )
        for name, figures in row.metrics["cross_validated"].items():
            self.stdout.write(
                f"  {name}: accuracy {figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f}, "
                f"ECE {figures['ece']:.3f} (3-fold cross-validated)"
            )
