from django.core.management.base import BaseCommand

from sla.monitor import sla_monitor_run


class Command(BaseCommand):
    help = "Run one SLA monitor pass now (the same code the beat schedule runs)."

    def add_arguments(self, parser):
        parser.add_argument("--no-risk", action="store_true", help="Skip the breach-risk refresh.")

    def handle(self, *args, no_risk: bool = False, **options):
        result = sla_monitor_run(refresh_risk=not no_risk)
        for label, fired in (("at risk", result.at_risk), ("breached", result.breached)):
            for kind, ids in fired.items():
                for pk in ids:
                    self.stdout.write(f"{kind} {label}: ticket {pk}")
        self.stdout.write(result.summary())
