"""Downloads name their files per RFC 6266 whatever the name holds: Sámi letters, quotes, semicolons."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import reverse

from members.models import Organisation
from tests.members.test_agreements import seal, signing  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def filename_of(header: str) -> str:
    """The file name a browser takes from a Content-Disposition header (RFC 6266: filename* first)."""
    extended = re.search(r"filename\*=utf-8''([^;]+)", header)
    if extended:
        return unquote(extended.group(1))
    return re.fullmatch(r'(?:attachment|inline); filename="((?:[^"\\]|\\.)*)"', header).group(1).replace('\\"', '"')


def test_an_agreement_download_keeps_a_sami_name_with_quotes_intact(client, signing):  # noqa: F811
    people = signing
    Organisation.objects.filter(pk=people.own.pk).update(name='Guovdageaidnu "Kautokeino"; Čáhcesuolu')
    client.force_login(people.director)
    response = client.get(reverse("members:agreement_document", kwargs={"pk": people.agreement.pk}))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''")
    assert header.isascii() and "=?utf-8?" not in header
    assert filename_of(header) == 'samarbeidsavtale-guovdageaidnu "kautokeino"; čáhcesuolu.pdf'


def test_every_content_disposition_is_written_by_django():
    root = Path(__file__).resolve().parents[2]
    for module in root.glob("*/**/*.py"):
        if module.parts[len(root.parts)] in {".venv", "tests", "bench"}:
            continue
        for line in module.read_text().splitlines():
            if "Content-Disposition" in line and "=" in line.split("Content-Disposition", 1)[1][:4]:
                assert "content_disposition_header(" in line, f"{module}: {line.strip()}"
            assert 'filename="' not in line, f"{module}: {line.strip()}"
