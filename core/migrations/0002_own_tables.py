"""The core tables take their app's name (they were created under the project package's label, "network").

Content types move with them, so permissions, admin log entries and history keep pointing at the same models.
"""

from django.db import migrations

MODELS = ['networkprofile', 'historicalnetworkprofile']


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model__in=MODELS).exists():
        ContentType.objects.filter(app_label="network", model__in=MODELS).update(app_label="core")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model__in=MODELS).update(app_label="network")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move_content_types, restore_content_types),
        migrations.AlterModelTable(name="networkprofile", table=None),
        migrations.AlterModelTable(name="historicalnetworkprofile", table=None),
    ]
