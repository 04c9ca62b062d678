"""The governance tables take their app's name (they were created under the project package's label, "network").

Content types move with them, so permissions, admin log entries and history keep pointing at the same models.
"""

from django.db import migrations

MODELS = ['body', 'decisionarea', 'bodymembership', 'case', 'caseattachment', 'casecounter', 'decision', 'decisionauthority', 'meeting', 'attendance', 'meetingdocumentrun']


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="governance", model__in=MODELS).exists():
        ContentType.objects.filter(app_label="network", model__in=MODELS).update(app_label="governance")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="governance", model__in=MODELS).update(app_label="network")


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move_content_types, restore_content_types),
        migrations.AlterModelTable(name="body", table=None),
        migrations.AlterModelTable(name="decisionarea", table=None),
        migrations.AlterModelTable(name="bodymembership", table=None),
        migrations.AlterModelTable(name="case", table=None),
        migrations.AlterModelTable(name="caseattachment", table=None),
        migrations.AlterModelTable(name="casecounter", table=None),
        migrations.AlterModelTable(name="decision", table=None),
        migrations.AlterModelTable(name="decisionauthority", table=None),
        migrations.AlterModelTable(name="meeting", table=None),
        migrations.AlterModelTable(name="attendance", table=None),
        migrations.AlterModelTable(name="meetingdocumentrun", table=None),
    ]
