"""`revoke_tokens EMAIL`: every API token of that user stops working at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.tokens import tokens_revoke


class Command(BaseCommand):
    help = "Revoke every API token of the user with this e-mail."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip().lower()
        user = get_user_model().objects.filter(username__iexact=email).first()
        if user is None:
            raise CommandError(f"No user '{email}'.")
        self.stdout.write(f"{tokens_revoke(user=user)} token(s) revoked for {user.username}.")
