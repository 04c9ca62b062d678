"""The model that carries an agreement from invitation to in force is the agreement.

Renames only: every row, its history and the links from signatures, events and one-time secrets stay;
the tables and columns are renamed in place.
"""

import django.db.models.deletion
from django.db import migrations, models

PERMISSIONS = {"invitation": "agreement", "historicalinvitation": "historicalagreement"}
NAMES = {"agreement invitation": "agreement", "historical agreement invitation": "historical agreement"}


def _rename_permissions(apps, schema_editor, *, backwards=False):
    """Keep the permissions (and whoever holds them) rather than leave stale ones beside new ones."""
    permission = apps.get_model("auth", "Permission")
    models_ = {new: old for old, new in PERMISSIONS.items()} if backwards else PERMISSIONS
    names = {new: old for old, new in NAMES.items()} if backwards else NAMES
    for old, new in models_.items():
        for action in ("add", "change", "delete", "view"):
            for row in permission.objects.filter(content_type__app_label="members", codename=f"{action}_{old}"):
                row.codename = f"{action}_{new}"
                for old_name, new_name in sorted(names.items(), key=lambda item: -len(item[0])):
                    if row.name.endswith(f" {old_name}"):
                        row.name = row.name[: -len(old_name)] + new_name
                        break
                row.save(update_fields=["codename", "name"])


def _rename_permissions_back(apps, schema_editor):
    _rename_permissions(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_adopted_in_case"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="invitation", name="one_open_invitation_per_organisation_and_text"),
        migrations.RenameModel(old_name="Invitation", new_name="Agreement"),
        migrations.RenameModel(old_name="HistoricalInvitation", new_name="HistoricalAgreement"),
        # The unique constraint names the column: dropped before the rename and made again after it, so every
        # database (SQLite rebuilds the table from the model's state) renames it the same way.
        migrations.RemoveConstraint(model_name="signature", name="one_signature_per_party"),
        migrations.RenameField(model_name="signature", old_name="invitation", new_name="agreement"),
        migrations.AddConstraint(
            model_name="signature",
            constraint=models.UniqueConstraint(fields=("agreement", "party"), name="one_signature_per_party"),
        ),
        migrations.RenameField(model_name="agreementevent", old_name="invitation", new_name="agreement"),
        migrations.RenameField(model_name="onetimesecret", old_name="invitation", new_name="agreement"),
        migrations.AlterModelOptions(
            name="agreement",
            options={
                "ordering": ["-invited_at", "organisation__name"],
                "verbose_name": "agreement",
                "verbose_name_plural": "agreements",
            },
        ),
        migrations.AlterModelOptions(
            name="historicalagreement",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical agreement",
                "verbose_name_plural": "historical agreements",
            },
        ),
        migrations.AlterModelOptions(
            name="signature",
            options={
                "ordering": ["agreement", "signed_at"],
                "verbose_name": "signature",
                "verbose_name_plural": "signatures",
            },
        ),
        migrations.AlterModelOptions(
            name="agreementevent",
            options={
                "ordering": ["agreement", "at", "pk"],
                "verbose_name": "agreement event",
                "verbose_name_plural": "agreement events",
            },
        ),
        migrations.AlterField(
            model_name="agreement",
            name="template",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="agreements", to="members.agreementtemplate"
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="agreements", to="members.organisation"
            ),
        ),
        migrations.RunPython(_rename_permissions, _rename_permissions_back, elidable=True),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["invited", "opened", "signed", "countersigned", "in_force"])),
                fields=("template", "organisation"),
                name="one_open_agreement_per_organisation_and_text",
            ),
        ),
    ]
