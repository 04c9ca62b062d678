"""Upgrading a database whose agreements were stored as invitations keeps every row and every link."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("members", "0003_adopted_in_case")]
AFTER = [("members", "0004_invitation_is_the_agreement")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.upgrade
@pytest.mark.django_db(transaction=True)
def test_an_invitation_stored_before_the_rename_is_the_same_agreement_after_it():
    old = _migrate(BEFORE)
    try:
        organisation = old.get_model("members", "Organisation").objects.create(
            kind="municipality", name="Masfjorden", org_number="964338531"
        )
        user = old.get_model("members", "User").objects.create(username="dagny", organisation=organisation)
        template = old.get_model("members", "AgreementTemplate").objects.create(
            title="Samarbeidsavtale", version=1, period_start=date(2025, 1, 1), body="§ 1"
        )
        invitation = old.get_model("members", "Invitation").objects.create(
            template=template,
            organisation=organisation,
            status="signed",
            expires_on=date(2026, 3, 1),
            document="agreements/a.pdf",
            document_sha256="a" * 64,
        )
        old.get_model("members", "Signature").objects.create(
            invitation=invitation,
            party="member",
            user=user,
            organisation=organisation,
            role="Kommunedirektør",
            signer_name="Dagny",
            signed_at=timezone.now(),
            document_sha256="a" * 64,
        )
        old.get_model("members", "AgreementEvent").objects.create(invitation=invitation, action="invited")
        old.get_model("members", "OneTimeSecret").objects.create(
            invitation=invitation, purpose="code", digest="d" * 64, expires_at=timezone.now()
        )
        old.get_model("members", "HistoricalInvitation").objects.create(
            id=invitation.pk,
            template_id=template.pk,
            organisation_id=organisation.pk,
            status="invited",
            invited_at=timezone.now(),
            expires_on=date(2026, 3, 1),
            document="agreements/a.pdf",
            document_sha256="a" * 64,
            history_date=timezone.now(),
            history_type="+",
        )

        new = _migrate(AFTER)

        agreement = new.get_model("members", "Agreement").objects.get()
        assert (agreement.pk, agreement.status, agreement.organisation_id) == (invitation.pk, "signed", organisation.pk)
        assert list(agreement.signatures.values_list("signer_name", flat=True)) == ["Dagny"]
        assert list(agreement.events.values_list("action", flat=True)) == ["invited"]
        assert agreement.secrets.count() == 1
        assert new.get_model("members", "HistoricalAgreement").objects.filter(id=agreement.pk).count() == 1
        # The one-open-agreement rule still holds under its new name.
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "members_agreement")
        assert "one_open_agreement_per_organisation_and_text" in constraints
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
