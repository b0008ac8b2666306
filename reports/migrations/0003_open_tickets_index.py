"""Open tickets by creation time with the customer's email: the customer-health report reads the
long tail of old open tickets from this partial index alone (index-only scan)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_resolved_created_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reports_ticket_open_customer "
            "ON tickets_ticket (created_at, customer_email) "
            "WHERE status IN ('open', 'assigned', 'in_progress', 'pending_customer', 'escalated')",
            reverse_sql="DROP INDEX IF EXISTS reports_ticket_open_customer",
        ),
    ]
