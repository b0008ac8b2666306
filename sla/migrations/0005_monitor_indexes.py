"""Partial indexes on tickets_ticket that match the monitor's queries (created here because
tickets/models.py is frozen; plain SQL that PostgreSQL and SQLite both accept).

- first-response claims filter on the running statuses too, so resolved tickets that never got a
  reply drop out of the index instead of being rescanned every minute;
- tickets still without a breach risk are found without scanning every open ticket."""

from django.db import migrations

RUNNING = "('open', 'assigned', 'in_progress', 'escalated')"
OPEN = "('open', 'assigned', 'in_progress', 'pending_customer', 'escalated')"


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_monitor_schedule"), ("tickets", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS sla_ticket_fr_running ON tickets_ticket "
            "(sla_first_response_due) WHERE first_response_at IS NULL "
            f"AND sla_first_response_state < 2 AND sla_paused_at IS NULL AND status IN {RUNNING}",
            "DROP INDEX IF EXISTS sla_ticket_fr_running",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS sla_ticket_risk_missing ON tickets_ticket (created_at) "
            f"WHERE breach_risk IS NULL AND sla_resolution_due IS NOT NULL AND status IN {OPEN}",
            "DROP INDEX IF EXISTS sla_ticket_risk_missing",
        ),
    ]
