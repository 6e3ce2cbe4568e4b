# The stored current levels belong to the levels app now (see levels/0001_initial); the table
# stays, only Django's state forgets it here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('skills', '0003_current_level_person_index'),
        ('levels', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CurrentLevel')],
            database_operations=[],
        ),
    ]
