"""What users type never steers how a PDF is drawn: values in a page's <style> are CSS-escaped, and WeasyPrint
reads nothing but the portal's own static files (no web address, no other file on the server)."""

from __future__ import annotations

import datetime
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings
from django.template import Context, Template

from core.documents import RefusedFetch, html_to_pdf, static_only_fetcher
from members.agreements import agreement_document
from members.models import AgreementTemplate
from tests.factories import OrganisationFactory


@pytest.fixture
def listener():
    """A local web server that records every request it gets (none is the right number)."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red; }")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.django_db
def test_an_agreement_title_cannot_reach_out_and_prints_as_typed_in_the_footer(listener):
    address, requests = listener
    attack = f'Fjord & Fjell "; }} @import url({address}/title.css); {{'
    template = AgreementTemplate.objects.create(title=attack, period_start=datetime.date(2026, 1, 1), body="§ 1 Formål")
    organisation = OrganisationFactory(name='Fjord & Fjell "Nord"')
    text = pdf_text(agreement_document(template, organisation))
    assert requests == []
    assert "&amp;" not in text
    footer = [line for line in text.splitlines() if "side 1 av" in line]
    assert footer, text
    assert f'{attack} (versjon 1) · Fjord & Fjell "Nord" kommune · side 1 av' in " ".join(footer[0].split())


def test_a_css_string_holds_any_value_without_ending_the_string_or_the_style():
    rendered = Template('{% load portal %}<style>x { content: "{{ value|css_string }}" }</style>').render(
        Context({"value": 'Fjord & Fjell "; } </style><script>@import url(x)\\ Áŋŧ'})
    )
    inside = rendered.removeprefix('<style>x { content: "').removesuffix('" }</style>')
    assert '"' not in inside and "<" not in inside and "}" not in inside and "&" not in inside
    assert inside.startswith("Fjord \\000026  Fjell \\000022 \\00003b  ")
    assert inside.endswith("\\00005c  Áŋŧ")


def test_documents_read_the_static_files_and_nothing_else(listener, tmp_path):
    address, requests = listener
    fetcher = static_only_fetcher()
    stylesheet = settings.BASE_DIR / "static" / "css" / "portal.css"
    assert fetcher.fetch(stylesheet.as_uri()).read() == stylesheet.read_bytes()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    secret = tmp_path / "secret.txt"
    secret.write_text("not for documents")
    for url in (
        f"{address}/image.png",
        secret.as_uri(),
        (settings.BASE_DIR / "static" / ".." / "manage.py").as_uri(),
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        f"file://127.0.0.1{stylesheet}",
    ):
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    html = (
        f'<link rel="stylesheet" href="{address}/link.css"><style>@import url({address}/import.css);</style>'
        f'<p>Tekst</p><img src="{address}/image.png"><img src="{secret.as_uri()}">'
        '<img src="static/img/logo.svg">'
    )
    assert "Tekst" in pdf_text(html_to_pdf(html))
    assert requests == []


def test_fonts_are_loaded_once_per_thread_and_every_render_uses_them():
    import threading

    from core import documents

    first = documents._font_configuration()
    assert documents._font_configuration() is first
    html = "<html lang='nb'><head><title>T</title></head><body><p>Tekst æøå</p></body></html>"
    assert "Tekst" in pdf_text(html_to_pdf(html)) and "Tekst" in pdf_text(html_to_pdf(html))
    other = []
    thread = threading.Thread(target=lambda: other.append(documents._font_configuration()))
    thread.start()
    thread.join()
    assert other[0] is not first
