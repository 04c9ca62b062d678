"""Every upload form checks name, size and content before an import reads the file, with a clear message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import BankImport, Payment
from members.models import PopulationFigure

pytestmark = pytest.mark.django_db

# Every form in the portal that takes a file, with the other fields it needs.
UPLOADS = [("members:population_import", {"source": "SSB"}), ("funding:bank_import", {})]


def written():
    return PopulationFigure.objects.count(), BankImport.objects.count(), Payment.objects.count()


@pytest.mark.parametrize(("url", "fields"), UPLOADS)
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("figures.xlsx", b"PK\x03\x04rest", "Choose a file ending in .csv"),
        ("figures", b"a,b\n", "Choose a file ending in .csv"),
        ("figures.csv", b"PK\x03\x04\x14\x00\x06\x00", "The file is a spreadsheet or other zip file"),
        ("figures.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "The file is an old Excel or Word file"),
        ("figures.csv", b"%PDF-1.7\n", "The file is a PDF, not CSV text."),
        ("figures.csv", b"   \n", "The file is empty."),
        ("figures.csv", b"date,amount\x00,kid\n", "The file is not a text file."),
        # Read by the import (a bank's OCR file is ISO 8859-1, a statistics bank download may be Windows-1252).
        ("figures.csv", "dato;beløp\n".encode("latin-1"), "The file is not UTF-8 encoded text."),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused_with_a_reason(client, personas, url, fields, name, content, message):
    client.force_login(personas.secretariat)
    before = written()
    response = client.post(reverse(url), {"file": SimpleUploadedFile(name, content), **fields})
    assert response.status_code == 200
    errors = response.context["form"].errors.get("file", []) + response.context.get("errors", [])
    assert any(error.startswith(message) for error in errors), errors
    html = response.content.decode()
    assert 'aria-describedby="' in html and "id_file" in html
    assert written() == before


@pytest.mark.parametrize(("url", "fields"), UPLOADS)
def test_a_file_over_the_limit_is_refused_before_it_is_read(client, personas, settings, url, fields):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(personas.secretariat)
    before = written()
    upload = SimpleUploadedFile("figures.csv", b"a" * 1001)
    response = client.post(reverse(url), {"file": upload, **fields})
    assert response.context["form"].errors["file"] == ["The file is 1001 bytes; the limit is 1000 bytes."]
    assert written() == before


def test_every_upload_field_in_the_portal_is_covered_here():
    """A new form with a file field must be added to UPLOADS (and use core.uploads)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = subprocess.run(
        [
            "grep",
            "-rlE",
            r"forms\.(FileField|ImageField)|request\.FILES",
            "members",
            "funding",
            "core",
            "governance",
            "portfolio",
            "annual",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(found) == [
        "annual/forms.py",
        "annual/views.py",
        "funding/forms.py",
        "funding/views/invoices.py",
        "funding/views/settlement.py",
        "governance/consultation_forms.py",
        "governance/consultation_views.py",
        "governance/forms.py",
        "governance/views.py",
        "members/forms.py",
        "members/register_views.py",
        "members/verify_views.py",
        "members/views.py",
    ]
    for form_module in ("members/forms.py", "funding/forms.py", "annual/forms.py"):
        text = (root / form_module).read_text()
        # Enhetsregisteret's bulk file (gzip, larger than any text upload) is read as a stream by its import,
        # which checks its size here and names what is wrong in it (tests/members/test_enhetsregisteret.py).
        streamed = text.count("class RegisterImportForm(")
        reads = text.count("read_csv_upload(") + text.count("read_text_upload(")
        assert text.count("forms.FileField(") == reads + streamed
    # The public verification page takes a sealed agreement (tests/members/test_agreements.py).
    text = (root / "members/verify_views.py").read_text()
    assert text.count("forms.FileField(") == text.count("read_pdf_upload(") == 1
    # A consultation's document and a member's answer are PDFs, through one field that reads them as PDF uploads
    # (tests/governance/test_consultations.py).
    text = (root / "governance/consultation_forms.py").read_text()
    assert text.count("forms.FileField") == 1 and "read_pdf_upload(upload)" in text
    # A case attachment is a PDF: its service checks size and content (tests/governance/test_services.py).
    assert "pdf_check(data)" in (root / "governance/services.py").read_text()
