from datetime import date

from django.core.management.base import BaseCommand
from django.db.models import Min

from reports.rollup import rollup_refresh
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Recompute the reports' daily rollup: the recent days, or with --all the whole history."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="From the first ticket on.")
        parser.add_argument("--start", type=date.fromisoformat)
        parser.add_argument("--end", type=date.fromisoformat)

    def handle(self, *args, **options):
        start = options["start"]
        if options["all"]:
            first = Ticket.objects.aggregate(first=Min("created_at"))["first"]
            start = first.date() if first else None
        rows = rollup_refresh(start=start, end=options["end"])
        self.stdout.write(f"{rows} rollup rows written.")
