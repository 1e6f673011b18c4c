"""Crisis sharing now belongs to territory (territory 0002 took over its table and rows): removed from the
operations migration state only, the database is left alone."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('operations', '0001_initial'),
        ('territory', '0002_crisissharing'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CrisisSharing')],
            database_operations=[],
        ),
    ]
