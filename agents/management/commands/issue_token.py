"""`issue_token EMAIL --role customer|agent|manager [--queue SLUG ...]`: prints an API token."""

from django.core.management.base import BaseCommand, CommandError

from agents.accounts import AccountError, user_token_issue


class Command(BaseCommand):
    help = "Create the user if needed, give them a role, and print their API token."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", choices=["customer", "agent", "manager"], default="customer")
        parser.add_argument(
            "--queue",
            action="append",
            default=[],
            metavar="SLUG",
            help="Agent only: belong to this queue (repeatable). Without it: every queue.",
        )
        parser.add_argument("--password", default=None, help="Also set this password.")

    def handle(self, *args, **options) -> None:
        try:
            token = user_token_issue(
                email=options["email"],
                role=options["role"],
                queue_slugs=options["queue"],
                password=options["password"],
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(token)
