"""Full-text search: `Ticket.search_vector`, its GIN index and the triggers that keep it current.

PostgreSQL only (SQLite searches with icontains and keeps the column empty). The database owns the
column: a trigger computes it from the subject (weight A), the body (B) and the public comments (C)
in the ticket's language, plus one lexeme naming that language ('lang english': no text parses
into a lexeme with a space) so a query can be matched against each ticket in its own language
with one index scan. Every write path (the ORM, the intake's prepared INSERT, bulk imports,
comments moved by a merge) keeps it current without any code remembering to. Internal notes are
never in it, so a note's words never make a ticket findable to a customer."""

import django.contrib.postgres.search
from django.db import migrations

FORWARD = r"""
CREATE FUNCTION tickets_search_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE lower(split_part(replace(coalesce(lang, ''), '_', '-'), '-', 1))
    WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french'
    WHEN 'es' THEN 'spanish' ELSE 'simple' END)::regconfig
$$;

CREATE FUNCTION tickets_search_document(ticket uuid, subject text, body text, lang text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT array_to_tsvector(ARRAY['lang ' || cfg::text])
      || setweight(to_tsvector(cfg, coalesce(subject, '')), 'A')
      || setweight(to_tsvector(cfg, left(coalesce(body, ''), 100000)), 'B')
      || setweight(to_tsvector(cfg, left(coalesce(
           (SELECT string_agg(c.body, ' ' ORDER BY c.created_at, c.id) FROM tickets_comment c
             WHERE c.ticket_id = ticket AND NOT c.internal), ''), 100000)), 'C')
  FROM (SELECT tickets_search_config(lang) AS cfg) AS config
$$;

-- NULL asks for a fresh vector (the comment trigger sets it); a value saved back from a row read
-- earlier is stale, so the stored one is kept unless the text itself changed.
CREATE FUNCTION tickets_ticket_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.search_vector IS NULL
     OR NEW.subject IS DISTINCT FROM OLD.subject OR NEW.body IS DISTINCT FROM OLD.body
     OR NEW.language IS DISTINCT FROM OLD.language THEN
    NEW.search_vector := tickets_search_document(NEW.id, NEW.subject, NEW.body, NEW.language);
  ELSE
    NEW.search_vector := OLD.search_vector;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER tickets_ticket_search
BEFORE INSERT OR UPDATE OF subject, body, language, search_vector ON tickets_ticket
FOR EACH ROW EXECUTE FUNCTION tickets_ticket_search_trigger();

CREATE FUNCTION tickets_comment_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT NEW.internal THEN
      UPDATE tickets_ticket SET search_vector = NULL WHERE id = NEW.ticket_id;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT OLD.internal THEN
      UPDATE tickets_ticket SET search_vector = NULL WHERE id = OLD.ticket_id;
    END IF;
  ELSIF NOT (OLD.internal AND NEW.internal) THEN
    UPDATE tickets_ticket SET search_vector = NULL WHERE id IN (OLD.ticket_id, NEW.ticket_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER tickets_comment_search
AFTER INSERT OR DELETE OR UPDATE OF ticket_id, body, internal ON tickets_comment
FOR EACH ROW EXECUTE FUNCTION tickets_comment_search_trigger();

UPDATE tickets_ticket SET search_vector = NULL;
CREATE INDEX ticket_search ON tickets_ticket USING gin (search_vector);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS ticket_search;
DROP TRIGGER IF EXISTS tickets_comment_search ON tickets_comment;
DROP TRIGGER IF EXISTS tickets_ticket_search ON tickets_ticket;
DROP FUNCTION IF EXISTS tickets_comment_search_trigger();
DROP FUNCTION IF EXISTS tickets_ticket_search_trigger();
DROP FUNCTION IF EXISTS tickets_search_document(uuid, text, text, text);
DROP FUNCTION IF EXISTS tickets_search_config(text);
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_event_kinds_tags_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
