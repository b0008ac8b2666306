"""Indexes for the report queries on tables other apps own (Ticket is frozen, so they live here).

- resolved_at (partial, resolved only): tickets resolved per day, backlog at the period's start.
- created_at where resolved_at IS NULL: unresolved tickets created before the period (backlog).
"""

from django.db import migrations

INDEXES = [
    (
        "reports_ticket_resolved_at",
        "CREATE INDEX IF NOT EXISTS reports_ticket_resolved_at ON tickets_ticket (resolved_at) "
        "WHERE resolved_at IS NOT NULL",
    ),
    (
        "reports_ticket_unresolved",
        "CREATE INDEX IF NOT EXISTS reports_ticket_unresolved ON tickets_ticket (created_at) "
        "WHERE resolved_at IS NULL",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("routing", "0003_urgencyphrase_classifiermodel_classificationlog"),
    ]

    operations = [
        migrations.RunSQL(sql, reverse_sql=f"DROP INDEX IF EXISTS {name}") for name, sql in INDEXES
    ]
