"""Database triggers: entries of a report's history are never updated."""

from django.db import migrations

STATEMENTS = {
    "sqlite": [
        """CREATE TRIGGER reports_reportupdate_no_update BEFORE UPDATE ON reports_reportupdate
           WHEN NEW.actor_id IS OLD.actor_id
           BEGIN SELECT RAISE(ABORT, 'report history entries are append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION reports_reportupdate_guard() RETURNS trigger AS $$
           BEGIN
             IF NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id THEN
               RAISE EXCEPTION 'report history entries are append-only';
             END IF;
             RETURN NEW;
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER reports_reportupdate_guard BEFORE UPDATE ON reports_reportupdate
           FOR EACH ROW EXECUTE FUNCTION reports_reportupdate_guard()""",
    ],
}
REVERSE = {
    "sqlite": ["DROP TRIGGER IF EXISTS reports_reportupdate_no_update"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS reports_reportupdate_guard ON reports_reportupdate",
        "DROP FUNCTION IF EXISTS reports_reportupdate_guard()",
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(_run(STATEMENTS), _run(REVERSE))]
