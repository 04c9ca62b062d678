"""A bank payment is known by what it is (account, booking date, amount, KID, the bank's reference): the same
payments in a statement encoded another way register nothing new, and the portal says so."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from funding.models import BankImport, Payment
from funding.services import bank_statement_import
from tests.funding.test_invoice_views import foreign, issued, own  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def encodings(masfjorden_kid: str, voss_kid: str) -> list[bytes]:
    """One statement of two payments as four banks (or one bank on four days) might write it."""
    plain = f"date,amount,kid,reference\n2026-12-01,133820.00,{masfjorden_kid},Arkiv 1\n"
    plain += f'2026-12-02,"400 000,00",{voss_kid},Arkiv 2\n'
    crlf = plain.replace("\n", "\r\n")
    semicolon = (
        f"date;amount;kid;reference\n01.12.2026;133 820,00;{masfjorden_kid};Arkiv 1\n"
        f"02.12.2026;400000,00;{voss_kid};Arkiv 2\n"
    )
    reordered = f"date,amount,kid,reference\n02.12.2026,400000,{voss_kid},Arkiv 2\n"
    reordered += f"2026-12-01,133820,{masfjorden_kid},Arkiv 1\n"
    return [plain.encode(), crlf.encode(), semicolon.encode(), "\ufeff".encode() + reordered.encode()]


def saved(invoice) -> list[tuple]:
    return list(invoice.payments.values_list("paid_on", "amount", "kid", "reference", "account", "occurrence"))


def test_the_same_payments_in_any_encoding_are_registered_once(issued):  # noqa: F811
    masfjorden, voss = own(issued), foreign(issued)
    files = encodings(masfjorden.kid, voss.kid)
    assert len({bytes(raw) for raw in files}) == 4  # four different files
    first = bank_statement_import(raw=files[0], file_name="1.csv")
    assert [row["kid"] for row in first.report["registered"]] == [masfjorden.kid, voss.kid]
    assert first.report["already_registered"] == []
    for index, raw in enumerate(files[1:], start=2):
        again = bank_statement_import(raw=raw, file_name=f"{index}.csv")
        assert again.report["registered"] == [], f"file {index} registered a payment again"
        assert sorted(row["kid"] for row in again.report["already_registered"]) == sorted([masfjorden.kid, voss.kid])
    assert Payment.objects.count() == 2
    account = masfjorden.seller_bank_account
    assert saved(masfjorden) == [(date(2026, 12, 1), Decimal("133820.00"), masfjorden.kid, "Arkiv 1", account, 1)]
    assert saved(voss) == [(date(2026, 12, 2), Decimal("400000.00"), voss.kid, "Arkiv 2", account, 1)]
    masfjorden.refresh_from_db()
    voss.refresh_from_db()
    assert (masfjorden.status, voss.status) == ("paid", "partly_paid")


def test_identical_lines_of_one_statement_are_two_payments_and_stay_two(issued):  # noqa: F811
    kid = own(issued).kid
    line = f"2026-12-01,1000.00,{kid},\n"
    first = bank_statement_import(raw=("date,amount,kid,reference\n" + line + line).encode(), file_name="a.csv")
    assert len(first.report["registered"]) == 2
    again = ("date;amount;kid;reference\r\n" + (line + line + line).replace(",", ";").replace("\n", "\r\n")).encode()
    third = bank_statement_import(raw=again, file_name="b.csv")
    assert len(third.report["already_registered"]) == 2 and len(third.report["registered"]) == 1
    assert sorted(own(issued).payments.values_list("occurrence", flat=True)) == [1, 2, 3]


def test_the_database_refuses_the_same_bank_payment_twice(issued):  # noqa: F811
    bank_statement_import(raw=encodings(own(issued).kid, foreign(issued).kid)[0], file_name="1.csv")
    payment = Payment.objects.get(invoice=own(issued))
    payment.pk = None
    payment.bank_import = None
    with pytest.raises(IntegrityError), transaction.atomic():
        payment.save()
    payment.source = "manual"  # the same money registered by hand is another record; the constraint is for banks
    payment.save()


def test_the_import_page_says_which_payments_were_registered_before(client, issued):  # noqa: F811
    client.force_login(issued.secretariat)
    files = encodings(own(issued).kid, foreign(issued).kid)
    client.post(reverse("funding:bank_import"), {"file": SimpleUploadedFile("1.csv", files[0])})
    response = client.post(reverse("funding:bank_import"), {"file": SimpleUploadedFile("2.csv", files[2])})
    page = response.content.decode()
    assert "0 payments registered." in page
    assert "Registered before: not registered again" in page
    assert own(issued).kid in page and foreign(issued).kid in page
    assert Payment.objects.count() == 2 and BankImport.objects.count() == 2
