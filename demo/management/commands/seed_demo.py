"""`seed_demo [--force]`: queues, skills, agents, SLA, rules and 220 tickets of history."""

from django.core.management.base import BaseCommand

from demo.seed import demo_seed


class Command(BaseCommand):
    help = "Load the demo help desk once (idempotent); --force recreates the demo tickets."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Delete and recreate demo tickets."
        )
        parser.add_argument("--tickets", type=int, default=220, help="How many demo tickets.")
        parser.add_argument("--no-train", action="store_true", help="Skip training the classifier.")

    def handle(self, *args, **options) -> None:
        result = demo_seed(
            force=options["force"],
            tickets=options["tickets"],
            train=not options["no_train"],
            stdout=self.stdout,
        )
        if not result.skipped:
            self.stdout.write(f"Created {result.created_tickets} demo tickets.")
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write("Demo logins (user / password / API token):")
        for login in result.logins:
            self.stdout.write(
                f"  {login.role:<9} {login.username:<28} {login.password:<12} {login.token}"
            )
