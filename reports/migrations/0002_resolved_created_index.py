"""Make the resolved_at index cover created_at too, so the backlog at a period's start and the
resolved-per-day series are index-only scans."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reports_ticket_resolved_created "
            "ON tickets_ticket (resolved_at, created_at) WHERE resolved_at IS NOT NULL",
            reverse_sql="DROP INDEX IF EXISTS reports_ticket_resolved_created",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS reports_ticket_resolved_at",
            reverse_sql=(
                "CREATE INDEX IF NOT EXISTS reports_ticket_resolved_at ON tickets_ticket "
                "(resolved_at) WHERE resolved_at IS NOT NULL"
            ),
        ),
    ]
