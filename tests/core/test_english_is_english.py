"""A reader who chose English reads English: explanations of amounts, run reasons, the VAT line, credit notes,
audit details and dates; Bokmål and Nynorsk readers read their own language; documents keep theirs."""

import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from funding.models import Contribution, Deflator, Invoice, InvoiceRun, RecomputeRun
from funding.services import contributions_recompute, credit_note_issue, invoice_run_execute
from members import agreements
from members.models import AgreementTemplate
from tests.factories import contribution_model, network_profile
from tests.governance.world import held_meeting

pytestmark = pytest.mark.django_db

# Letters and words that only Norwegian has (names of places and organisations aside).
NORWEGIAN = re.compile(
    r"[æøåÆØÅ]|\b(ikke|ikkje|og|av|til|fra|frå|med|taket|innbyggere|innbyggjarar|prisjustert|fast|beløp|fritatt|"
    r"krediterer|utløper|startet|manuelt|faktura|fakturaer|sak|årsak|medlemsbidraget|vedtatt|godkjent|"
    r"desember|januar|februar|mars|mai|juni|juli|oktober)\b",
    re.IGNORECASE,
)
# A Norwegian date ("4. December 2025", "4. desember 2025"), for pages that show what people wrote in Norwegian.
NORWEGIAN_DATE = re.compile(r"\b\d{1,2}\. ?[A-Za-zæøå]+ \d{4}\b")


class VisibleText(HTMLParser):
    """The page's text as a reader sees it, without scripts, styles and passages marked as another language
    (the language menu names each language in that language)."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        hidden = tag in ("script", "style", "title") or attributes.get("lang", "en") != "en"
        self.hidden.append(tag if hidden or (self.hidden and self.hidden[-1]) else "")

    def handle_endtag(self, tag):
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        if self.hidden:
            self.hidden.pop()

    def handle_data(self, data):
        if not (self.hidden and self.hidden[-1]):
            self.text.append(data)


def norwegian_on(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.text).split())
    return sorted({text[max(0, m.start() - 30) : m.end() + 30] for m in NORWEGIAN.finditer(text)})


@pytest.fixture
def money_year(personas, django_capture_on_commit_callbacks):
    """A price-adjusted 2026 model, its contributions, an invoice run, a credit note and a run started by hand."""
    network_profile(personas.host)
    Deflator.objects.create(year=2025, rate=Decimal("0.035"))
    Deflator.objects.create(year=2026, rate=Decimal("0.04"))
    contribution_model(year=2026, base_year=2024, exempt=[personas.host])
    contributions_recompute(year=2026)
    invoice_run_execute(
        run_id=InvoiceRun.objects.create(year=2026, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23)).pk
    )
    invoice = Invoice.objects.get(organisation=personas.own, kind="invoice")
    with django_capture_on_commit_callbacks(execute=False):
        credit = credit_note_issue(invoice=invoice, reason="Wrong population", issue_date=date(2026, 11, 30))
    from core import told

    RecomputeRun.objects.all().delete()
    from funding.services import recompute_start

    with django_capture_on_commit_callbacks(execute=False):
        run = recompute_start(year=2026, reason=told.kept("Started by hand"))
    return personas, invoice, credit, run


def invited(personas):
    template = agreements.agreement_template_publish(
        template=AgreementTemplate.objects.create(
            title="Samarbeidsavtale",
            version=1,
            period_start=date(2025, 1, 1),
            period_end=date(2028, 12, 31),
            body="§ 1 Formål",
            funding_appendix="Grunnbeløp.",
        )
    )
    actor = agreements.Actor(user=personas.secretariat, ip_address="10.0.0.1")
    (agreement,) = agreements.agreement_invite(
        template=template,
        organisations=[personas.own],
        expires_on=timezone.localdate() + timedelta(days=30),
        actor=actor,
    )
    return agreement


def key_pages(personas, invoice, credit, run):
    contribution = Contribution.objects.get(organisation=personas.own)
    agreement = invited(personas)
    world = held_meeting(personas)
    return [
        contribution.get_absolute_url(),
        reverse("funding:contribution_list"),
        reverse("funding:invoice_list"),
        invoice.get_absolute_url(),
        credit.get_absolute_url(),
        run.get_absolute_url(),
        reverse("members:agreement_list"),
        agreement.get_absolute_url(),
    ], [world.meeting.get_absolute_url(), world.public_case.get_absolute_url()]


def test_english_pages_hold_no_norwegian(client, money_year):
    personas, invoice, credit, run = money_year
    pages, governance_pages = key_pages(personas, invoice, credit, run)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(personas.secretariat)
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if words := norwegian_on(response.content.decode()):
            found[url] = words
    # The governance pages show the body's papers, written in Norwegian; their dates are the reader's.
    for url in governance_pages:
        html = client.get(url).content.decode()
        assert "17 November 2026" in html
        if dates := NORWEGIAN_DATE.findall(html):
            found[url] = dates
    assert found == {}


def test_the_explanation_is_told_in_each_readers_language(client, money_year):
    personas, invoice, _credit, _run = money_year
    contribution = Contribution.objects.get(organisation=personas.own)
    # Stored in Bokmål for documents, such as the invoice line.
    assert contribution.explanation.startswith("Prisjustert med faktor 1,0764 fra 2024 til 2026:")
    assert invoice.lines.get().note == contribution.explanation
    client.force_login(personas.finance)
    expected = {
        "en": "Price-adjusted by factor 1.0764 from 2024 to 2026: 107,640 + 21.528 × 1,691 inhabitants",
        "nb": "Prisjustert med faktor 1,0764 fra 2024 til 2026: 107\xa0640 + 21,528 × 1\xa0691 innbyggere",
        "nn": "Prisjustert med faktor 1,0764 frå 2024 til 2026: 107\xa0640 + 21,528 × 1\xa0691 innbyggjarar",
    }
    for language, text in expected.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert text in client.get(contribution.get_absolute_url()).content.decode(), language
        assert text in client.get(invoice.get_absolute_url()).content.decode(), language


def test_a_run_reason_is_told_in_each_readers_language(client, money_year):
    personas, _invoice, _credit, run = money_year
    assert run.reason == "Started by hand"
    client.force_login(personas.secretariat)
    for language, text in (("en", "Started by hand"), ("nb", "Startet manuelt"), ("nn", "Starta manuelt")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert text in client.get(run.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("action", "stored", "english", "nynorsk"),
    [
        ("invited", "2026-12-31", "Expires 31.12.2026", "Går ut 31.12.2026"),
        ("invited", "Utløper 31.12.2026", "Expires 31.12.2026", "Går ut 31.12.2026"),  # written before
        (
            "signed",
            "Formannskapet, sak 109/2020, 01.12.2026; SHA-256 ab12",
            "Formannskapet, case 109/2020, 01.12.2026; SHA-256 ab12",
            "Formannskapet, sak 109/2020, 01.12.2026; SHA-256 ab12",
        ),
        ("code_sent", "member", "Member", None),
        ("declined", "For dyrt", "For dyrt", "For dyrt"),  # what the person wrote stays as written
    ],
)
def test_agreement_audit_details_are_told_in_the_readers_language(action, stored, english, nynorsk):
    from django.utils import translation

    from members.models import AgreementEvent

    event = AgreementEvent(action=action, detail=stored)
    with translation.override("en"):
        assert event.detail_text == english
    if nynorsk is not None:
        with translation.override("nn"):
            assert event.detail_text == nynorsk
