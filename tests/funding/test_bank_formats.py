"""Bank files as banks send them: Nets OCR giro and ISO 20022 camt.054 register the same payments as the CSV,
matched by KID, each payment once whichever file brings it; a malformed file is refused whole, its line named."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from funding.bank_formats import CAMT_054, CSV, OCR_GIRO, bank_file_format, parse_bank_statement
from funding.models import BankImport, Invoice, Payment
from funding.services import bank_statement_import
from tests.funding.bank_files import DATA, PAYMENTS, Giro, camt_054, ocr_giro
from tests.funding.test_invoice_views import foreign, issued, own  # noqa: F401 - a fixture

CAMT_VERSIONS = ["camt054-001.02.xml", "camt054-001.04.xml", "camt054-001.08.xml"]


def test_the_ocr_test_file_is_what_netsgiro_writes():
    assert (DATA / "ocr-giro.txt").read_bytes() == ocr_giro(PAYMENTS)


@pytest.mark.parametrize("name", ["ocr-giro.txt", *CAMT_VERSIONS])
def test_every_bank_format_gives_the_same_payments(name):
    raw = (DATA / name).read_bytes()
    kind, rows = parse_bank_statement(raw)
    assert kind == (OCR_GIRO if name.endswith(".txt") else CAMT_054) == bank_file_format(raw)
    payments = [(r.kid, r.amount, r.reference, r.paid_on, r.account) for r in rows if not r.not_payment]
    assert payments == [(p.kid, p.amount, p.archive_reference, p.settled_on, "15030112358") for p in PAYMENTS]
    # The bank's charges in the notification are a debit: listed, never a payment.
    assert [(r.amount, r.not_payment) for r in rows if r.not_payment] == ([] if kind == OCR_GIRO else [(125, True)])
    assert bank_file_format(b"date,amount,kid,reference\n") == CSV


@pytest.mark.django_db
@pytest.mark.parametrize("camt", CAMT_VERSIONS)
def test_an_ocr_and_a_camt054_file_register_their_payments_once(issued, camt):  # noqa: F811
    masfjorden, voss = own(issued), foreign(issued)
    assert (masfjorden.kid, voss.kid) == (PAYMENTS[0].kid, PAYMENTS[1].kid)
    first = bank_statement_import(raw=(DATA / "ocr-giro.txt").read_bytes(), file_name="ocr-giro.txt")
    assert first.file_format == OCR_GIRO
    assert [row["kid"] for row in first.report["registered"]] == [masfjorden.kid, voss.kid]
    assert [row["kid"] for row in first.report["unknown_kid"]] == ["2000000014"]
    assert first.report["underpaid"] == [{**first.report["registered"][1], "difference": "29420.00"}]
    second = bank_statement_import(raw=(DATA / camt).read_bytes(), file_name=camt)
    assert second.file_format == CAMT_054
    assert second.report["registered"] == []
    assert [row["kid"] for row in second.report["already_registered"]] == [masfjorden.kid, voss.kid]
    assert [row["kid"] for row in second.report["unknown_kid"]] == ["2000000014"]
    assert [row["amount"] for row in second.report["not_payments"]] == ["125.00"]
    assert list(Payment.objects.order_by("paid_on", "amount").values_list("kid", "amount", "reference", "account")) == [
        (masfjorden.kid, Decimal("133820.00"), "260120101", "15030112358"),
        (voss.kid, Decimal("400000.00"), "260120102", "15030112358"),
    ]
    masfjorden.refresh_from_db()
    voss.refresh_from_db()
    assert (masfjorden.status, voss.status) == ("paid", "partly_paid")
    with pytest.raises(ValidationError, match="imported on"):
        bank_statement_import(raw=(DATA / camt).read_bytes(), file_name="again.xml")


@pytest.mark.django_db
def test_the_command_and_the_upload_read_the_same_files(client, issued, capsys):  # noqa: F811
    call_command("payments", "import", str(DATA / "camt054-001.08.xml"))
    out = capsys.readouterr().out
    assert "2 payments registered" in out and "Unknown KID, not registered: line 143, KID 2000000014" in out
    client.force_login(issued.secretariat)
    upload = SimpleUploadedFile("OCR.D021226.txt", (DATA / "ocr-giro.txt").read_bytes())
    page = client.post(reverse("funding:bank_import"), {"file": upload}).content.decode()
    assert "0 payments registered." in page and "Registered before: not registered again" in page
    assert "OCR" in page and "2000000014" in page
    assert Payment.objects.count() == 2 and BankImport.objects.count() == 2
    broken = (DATA / "ocr-giro.txt").read_bytes().replace(b"NY09103000000020", b"NY0910300000002")
    with pytest.raises(CommandError, match="Line 5: an OCR giro record has 80 characters, this line has 79"):
        call_command("payments", "import", _write(broken))
    assert BankImport.objects.count() == 2


def _write(raw: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as handle:
        handle.write(raw)
    return handle.name


@pytest.mark.django_db
def test_a_reversal_in_an_ocr_file_is_listed_not_registered(issued):  # noqa: F811
    reversal = Giro(own(issued).kid, Decimal("1000.00"), "260120150", date(2026, 12, 3), reversal=True)
    paid = Giro(own(issued).kid, Decimal("1000.00"), "260120151", date(2026, 12, 3))
    record = bank_statement_import(raw=ocr_giro([paid, reversal]), file_name="r.txt")
    assert len(record.report["registered"]) == 1
    assert [row["line"] for row in record.report["not_payments"]] == ["5"]


def _refused(raw: bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_bank_statement(raw)
    return caught.value.messages


def test_a_malformed_ocr_file_is_refused_with_its_line_named():
    lines = (DATA / "ocr-giro.txt").read_bytes().decode("latin-1").splitlines()
    wrong_total = [*lines[:-1], lines[-1].replace("000000053432000", "000000053432100")]
    assert _refused("\n".join(wrong_total).encode()) == [
        "Line 10: the transmission end record counts 3 transactions of 534321 kroner in 10 records, "
        "but the file has 3 of 534320 in 10."
    ]
    not_a_record = [*lines[:4], "NY09" + "X" * 76, *lines[5:]]
    assert _refused("\n".join(not_a_record).encode())[0].startswith("Line 5: not an OCR giro record")
    no_end = lines[:-1]
    assert _refused("\n".join(no_end).encode()) == [
        "Line 9: the file must end with a transmission end record (NY000089)."
    ]


@pytest.mark.parametrize("camt", CAMT_VERSIONS)
def test_a_malformed_camt054_file_is_refused_with_line_and_element_named(camt):
    text = (DATA / camt).read_text()
    bad_amount = text.replace('<Amt Ccy="NOK">500.00</Amt>', '<Amt Ccy="NOK">5OO.00</Amt>', 1)
    assert any(", element Amt: '5OO.00' is not an amount" in message for message in _refused(bad_amount.encode()))
    euro = text.replace('<Amt Ccy="NOK">500.00</Amt>', '<Amt Ccy="EUR">500.00</Amt>')
    assert any("the amount is in EUR" in message for message in _refused(euro.encode()))
    bad_kid = text.replace("<Ref>2000000014</Ref>", "<Ref>RF18539007547034</Ref>")
    assert any(", element Ref: 'RF18539007547034' is not a KID" in m for m in _refused(bad_kid.encode()))
    cut = text[: len(text) // 2]
    assert _refused(cut.encode())[0].startswith("Line ")
    other = text.replace("camt.054.001", "camt.053.001")
    assert "not a camt.054 notification" in _refused(other.encode())[0]
    missing_sum = text.replace('<Amt Ccy="NOK">534320.00</Amt>', '<Amt Ccy="NOK">534319.00</Amt>')
    assert any("the transactions add up to 534320.00" in m for m in _refused(missing_sum.encode()))


OCR_TEXT = (DATA / "ocr-giro.txt").read_text(encoding="latin-1")
CAMT_TEXT = (DATA / "camt054-001.04.xml").read_text()


def _parsed_or_refused(raw: bytes) -> None:
    """A bank file is read or refused with a message; nothing else may come out of it."""
    try:
        _kind, rows = parse_bank_statement(raw)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return
    assert rows and all(row.amount > 0 for row in rows)


@settings(max_examples=150, deadline=None)
@given(position=st.integers(0, len(OCR_TEXT) - 1), character=st.sampled_from("0129 -NYx\n"))
@example(position=581, character="1")  # netsgiro's IndexError ("pop from empty list") building the transmission
def test_a_damaged_ocr_file_is_read_or_refused_never_crashes(position, character):
    _parsed_or_refused((OCR_TEXT[:position] + character + OCR_TEXT[position + 1 :]).encode("latin-1"))


@settings(max_examples=150, deadline=None)
@given(position=st.integers(0, len(CAMT_TEXT) - 1), cut=st.integers(0, 12), insert=st.sampled_from(["", "<", "9", "x"]))
def test_a_damaged_camt054_file_is_read_or_refused_never_crashes(position, cut, insert):
    _parsed_or_refused((CAMT_TEXT[:position] + insert + CAMT_TEXT[position + cut :]).encode())


@settings(max_examples=100, deadline=None)
@given(tail=st.binary(max_size=300))
def test_any_bytes_after_an_ocr_or_xml_start_are_read_or_refused(tail):
    _parsed_or_refused(b"NY000010" + tail)
    _parsed_or_refused(b"<" + tail)


@pytest.mark.django_db
def test_the_demos_open_invoices_are_paid_once_by_an_ocr_and_a_camt054_file():
    call_command("load_demo")
    open_invoices = list(Invoice.objects.open().filter(kind="invoice").order_by("number"))
    assert open_invoices, "the demo has invoices still owed"
    payments = [
        Giro(invoice.kid, invoice.outstanding, f"26033{index:04d}", date(2026, 3, 2))
        for index, invoice in enumerate(open_invoices, start=1)
    ]
    account = open_invoices[0].seller_bank_account
    before = Payment.objects.count()
    ocr = bank_statement_import(raw=ocr_giro(payments, account=account), file_name="ocr.txt")
    assert len(ocr.report["registered"]) == len(open_invoices) and ocr.report["unknown_kid"] == []
    camt = bank_statement_import(raw=camt_054(payments, account=account), file_name="camt.xml")
    assert camt.report["registered"] == [] and len(camt.report["already_registered"]) == len(open_invoices)
    assert Payment.objects.count() == before + len(open_invoices)
    assert not Invoice.objects.open().filter(pk__in=[invoice.pk for invoice in open_invoices]).exists()
