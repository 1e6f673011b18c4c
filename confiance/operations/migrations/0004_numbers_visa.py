"""Numbers carry the commune's INSEE code (MC-2026-000123 becomes MC-91386-2026-000123), so that two communes
shown on one console never share a number; the chef de poste's day visa of the main courante."""

import re

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


_OLD_NUMBER = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<year>\d{4})-(?P<value>\d+)$")


def renumbered(number, insee_code):
    """The number with the commune's code in it; a number already in the new form (or unknown) is left alone."""
    match = _OLD_NUMBER.match(number)
    if match is None:
        return number
    return f"{match['prefix']}-{insee_code}-{match['year']}-{match['value']}"


def add_commune_codes(apps, schema_editor):
    """Rewrite every existing intervention and main courante number in place (the per-commune sequence stays)."""
    for model_name in ("Intervention", "LogEntry"):
        model = apps.get_model("operations", model_name)
        changed = []
        for row in model.objects.select_related("commune").only("id", "number", "commune__insee_code").iterator():
            number = renumbered(row.number, row.commune.insee_code)
            if number != row.number:
                row.number = number
                changed.append(row)
        model.objects.bulk_update(changed, ["number"], batch_size=500)


def remove_commune_codes(apps, schema_editor):
    for model_name in ("Intervention", "LogEntry"):
        model = apps.get_model("operations", model_name)
        changed = []
        for row in model.objects.select_related("commune").only("id", "number", "commune__insee_code").iterator():
            prefix, _, rest = row.number.partition(f"-{row.commune.insee_code}-")
            if rest:
                row.number = f"{prefix}-{rest}"
                changed.append(row)
        model.objects.bulk_update(changed, ["number"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('operations', '0003_dispatch_pooling'),
        ('territory', '0002_crisissharing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(model_name='intervention', name='number',
                              field=models.CharField(max_length=32, verbose_name='numéro')),
        migrations.AlterField(model_name='logentry', name='number',
                              field=models.CharField(max_length=32, verbose_name='numéro')),
        migrations.CreateModel(
            name='DayVisa',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='jour')),
                ('signed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='visée le')),
                ('commune', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='logbook_visas', to='territory.commune', verbose_name='commune')),
                ('signed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='visée par')),
            ],
            options={
                'verbose_name': 'visa de main courante',
                'verbose_name_plural': 'visas de main courante',
                'ordering': ['-day', 'commune__name'],
                'constraints': [models.UniqueConstraint(fields=('commune', 'day'), name='day_visa_unique')],
            },
        ),
        migrations.RunPython(add_commune_codes, remove_commune_codes),
    ]
