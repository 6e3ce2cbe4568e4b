# The stored current levels move from the skills app to the levels app: the table
# (skills_currentlevel) stays where it is, only Django's state changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('skills', '0003_current_level_person_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CurrentLevel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.PositiveSmallIntegerField()),
                        ('practised_at', models.DateTimeField(null=True)),
                        ('fresh_until', models.DateField(null=True)),
                        ('person', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('skill', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='skills.skill')),
                    ],
                    options={
                        'db_table': 'skills_currentlevel',
                        'indexes': [models.Index(fields=['level', 'skill', 'person', 'fresh_until'], name='current_level_covers')],
                        'constraints': [models.UniqueConstraint(fields=('person', 'skill'), name='current_level_unique'), models.CheckConstraint(condition=models.Q(('level__gte', 1), ('level__lte', 4)), name='current_level_1_to_4')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
