"""Crisis sharing moves from operations to territory with its rows: the model is created here in the migration
state only (over the existing operations table), then its tables are renamed to territory's."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('territory', '0001_initial'),
        ('operations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CrisisSharing',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='nom')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='début')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='fin')),
                        ('communes', models.ManyToManyField(related_name='crisis_sharings', to='territory.commune',
                                                            verbose_name='communes')),
                        ('started_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                         related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'mode crise',
                        'verbose_name_plural': 'modes crise',
                        'ordering': ['-started_at'],
                        'db_table': 'operations_crisissharing',
                    },
                ),
            ],
            database_operations=[],
        ),
        # Renames operations_crisissharing and its operations_crisissharing_communes table; the rows stay.
        migrations.AlterModelTable(name='crisissharing', table=None),
    ]
