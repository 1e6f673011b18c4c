"""Database triggers: audit entries are never updated, and deleted only past the 3-year retention."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER privacy_auditentry_no_update BEFORE UPDATE ON privacy_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit journal entries are append-only'); END""",
    """CREATE TRIGGER privacy_auditentry_no_early_delete BEFORE DELETE ON privacy_auditentry
       WHEN OLD.created_at >= datetime('now', '-1095 days')
       BEGIN SELECT RAISE(ABORT, 'audit journal entries are kept 3 years'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS privacy_auditentry_no_update",
    "DROP TRIGGER IF EXISTS privacy_auditentry_no_early_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION privacy_auditentry_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit journal entries are append-only';
         END IF;
         IF OLD.created_at >= now() - interval '1095 days' THEN
           RAISE EXCEPTION 'audit journal entries are kept 3 years';
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER privacy_auditentry_guard BEFORE UPDATE OR DELETE ON privacy_auditentry
       FOR EACH ROW EXECUTE FUNCTION privacy_auditentry_guard()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS privacy_auditentry_guard ON privacy_auditentry",
    "DROP FUNCTION IF EXISTS privacy_auditentry_guard()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
