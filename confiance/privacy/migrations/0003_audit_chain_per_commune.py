"""One audit chain per commune (ADR 0003): entries written before keep their single chain as the historical chain
(-1), still verifiable as it stands; new entries chain per commune, or in the platform chain (0)."""

import importlib

from django.db import migrations, models

TRIGGERS = importlib.import_module("confiance.privacy.migrations.0002_append_only_triggers")


def _sqlite_triggers(apps, schema_editor):
    # SQLite rebuilds the table to add a column and drop a unique index: the rebuilt table needs its guards again.
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS.SQLITE_REVERSE + TRIGGERS.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_append_only_triggers")]

    operations = [
        migrations.AlterModelOptions(
            name="auditcheckpoint",
            options={"ordering": ["chain", "-sequence"], "verbose_name": "point de reprise du journal",
                     "verbose_name_plural": "points de reprise du journal"},
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["id"], "verbose_name": "entrée du journal", "verbose_name_plural": "journal d'audit"},
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="chain",
            field=models.BigIntegerField(default=-1, verbose_name="chaîne"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditcheckpoint",
            name="sequence",
            field=models.BigIntegerField(verbose_name="numéro dans la chaîne"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.BigIntegerField(
                default=-1, verbose_name="chaîne",
                help_text="La commune de l'entrée ; 0 : plateforme ; -1 : chaîne unique des entrées d'avant les "
                          "chaînes par commune."),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(verbose_name="numéro dans la chaîne"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "sequence"), name="audit_chain_sequence_unique"),
        ),
        migrations.RunPython(_sqlite_triggers, migrations.RunPython.noop),
    ]
