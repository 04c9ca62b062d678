"""A member corrects its own invoicing details: invoices issued after carry them, earlier ones keep theirs, and
invoices are mailed to the invoice email it names."""

from datetime import date

import pytest

from funding.models import Contribution
from funding.services import credit_note_issue, invoice_issue, invoice_send
from members.services import organisation_invoicing_update

pytestmark = pytest.mark.django_db


def test_the_next_invoice_carries_the_corrected_reference_and_the_earlier_one_keeps_its_own(
    invoicing, mailoutbox, django_capture_on_commit_callbacks
):
    contribution = Contribution.objects.get(organisation=invoicing.own, year=2026)
    first, _created = invoice_issue(
        contribution=contribution, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23)
    )
    assert first.buyer_reference == "4634-DIGI"

    organisation_invoicing_update(
        organisation=invoicing.own,
        buyer_reference="Kari Kontakt, ansvar 1200",
        einvoice_endpoint="0192:921707134",
        invoice_email="faktura@masfjorden.example.no",
    )
    credit_note_issue(invoice=first, reason="Feil referanse", issue_date=date(2026, 11, 24))
    contribution.refresh_from_db()
    second, _created = invoice_issue(
        contribution=contribution, issue_date=date(2026, 11, 24), due_date=date(2026, 12, 24)
    )

    first.refresh_from_db()
    assert first.buyer_reference == "4634-DIGI" and first.buyer_endpoint == ""
    assert (second.buyer_reference, second.buyer_endpoint) == ("Kari Kontakt, ansvar 1200", "0192:921707134")
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(invoice=second)
    assert mailoutbox[-1].to[0] == "faktura@masfjorden.example.no"
    assert "postmottak@masfjorden.example.no" not in mailoutbox[-1].to
