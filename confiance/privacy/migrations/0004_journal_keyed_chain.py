"""Keyed chains (ADR 0009): entries and checkpoints signed with HMAC-SHA256 under a key kept outside the database.

At the upgrade the key is created if need be (the key file, 0600, in the data folder), the retention checkpoints
already written are signed, and the head of every chain is sealed: a signed checkpoint of its newest entry. The
entries written before keep their SHA-256 hashes; `audit verify` accepts an unsigned entry only up to its chain's
seal, and the unsigned entries must lead exactly to the sealed hash.
"""

import importlib

from django.db import migrations, models

TRIGGERS = importlib.import_module("confiance.privacy.migrations.0002_append_only_triggers")


def _sqlite_triggers(apps, schema_editor):
    # SQLite rebuilds the table to add a NOT NULL column: the rebuilt table needs its guards again.
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS.SQLITE_REVERSE + TRIGGERS.SQLITE:
            schema_editor.execute(statement)


def seal_chains(apps, schema_editor):
    from confiance.privacy.journal import checkpoint_message
    from confiance.privacy.journal_keys import keyring

    entry_model = apps.get_model("privacy", "AuditEntry")
    checkpoint_model = apps.get_model("privacy", "AuditCheckpoint")
    database = schema_editor.connection.alias
    key = keyring().current
    for checkpoint in checkpoint_model.objects.using(database).filter(mac=""):
        checkpoint.key_id = key.key_id
        checkpoint.mac = key.mac(checkpoint_message(checkpoint))
        checkpoint.save(update_fields=["key_id", "mac"])
    chains = entry_model.objects.using(database).values_list("chain", flat=True).distinct()
    for chain in sorted(set(chains)):
        sequence, entry_hash = (entry_model.objects.using(database).filter(chain=chain).order_by("-sequence")
                                .values_list("sequence", "entry_hash").first())
        seal = checkpoint_model(chain=chain, sequence=sequence, entry_hash=entry_hash, kind="seal", key_id=key.key_id)
        seal.mac = key.mac(checkpoint_message(seal))
        seal.save(using=database)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_audit_chain_per_commune")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(
                blank=True, default="", max_length=16, verbose_name="clé",
                help_text="La clé dont l'empreinte (HMAC-SHA256) est signée ; vide : entrée d'avant les clés, "
                          "scellée (SHA-256)."),
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="kind",
            field=models.CharField(
                choices=[("retention", "entrées supprimées par la conservation"),
                         ("seal", "scellement des entrées d'avant les clés")],
                default="retention", max_length=10, verbose_name="nature"),
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="clé"),
        ),
        migrations.AddField(
            model_name="auditcheckpoint",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="signature"),
        ),
        migrations.RunPython(_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(seal_chains, migrations.RunPython.noop),
    ]
