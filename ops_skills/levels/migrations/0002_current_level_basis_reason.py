# The stored levels say what gave each level (its basis and the reason shown beside it), so that
# every page reads them instead of recomputing. The rows are derived data: they are dropped here
# and ``store.fill_after_migrate`` recomputes them all at the end of ``migrate``.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('levels', '0001_initial'),
    ]

    operations = [
        migrations.RunSQL('DELETE FROM skills_currentlevel', reverse_sql=migrations.RunSQL.noop),
        migrations.AddField(
            model_name='currentlevel',
            name='basis',
            field=models.CharField(default='', max_length=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='currentlevel',
            name='reason',
            field=models.CharField(default='', max_length=120),
            preserve_default=False,
        ),
    ]
