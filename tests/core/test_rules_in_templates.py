"""Pages offer an action when a named rule says so (core/rules.py), never by comparing a status string."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template

from core import rules

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATUS_TEST = re.compile(
    r"{%[^%]*\b\w*status\s*(==|!=)\s*[\"'][^\"']*[\"'][^%]*%}"  # x.status == "paid"
    r"|{%[^%]*[\"'][^\"']*[\"']\s*(==|!=)\s*[\w.]*status\b[^%]*%}"  # "paid" == x.status
    r"|{%[^%]*\b[\w.]*status\s+(not\s+)?in\s+[\"'(\[][^%]*%}"  # x.status in "paid credited"
)


def test_no_template_compares_a_status_string():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for match in STATUS_TEST.finditer(line)
    ]
    assert not found, 'Ask a named rule (`x|holds:"..."`) instead:\n' + "\n".join(found)


def test_the_pattern_finds_the_forms_it_forbids():
    for line in (
        '{% if invoice.status != "paid" %}',
        "{% elif m.status == 'proposal' %}",
        '{% if "held" == meeting.status %}',
        '{% if run.status in "failed succeeded" %}',
        '{% if a and organisation.membership_status == "member" %}',
    ):
        assert STATUS_TEST.search(line), line
    assert not STATUS_TEST.search("{% if status == value %}")  # a filter tab compares two variables


@pytest.mark.django_db
def test_a_page_asks_a_registered_rule_and_an_unknown_name_is_refused():
    from funding.choices import InvoiceKind, InvoiceStatus
    from funding.models import Invoice

    # A rule that asks the status alone (the reminder rule also asks the due date and what was paid).
    page = Template('{% load portal %}{% if invoice|holds:"invoice_is_open" %}open{% endif %}')
    open_invoice = Invoice(kind=InvoiceKind.INVOICE, status=InvoiceStatus.OVERDUE)
    paid = Invoice(kind=InvoiceKind.INVOICE, status=InvoiceStatus.PAID)
    assert page.render(Context({"invoice": open_invoice})) == "open"
    assert page.render(Context({"invoice": paid})) == ""
    with pytest.raises(ImproperlyConfigured):
        rules.holds("invoice_can_fly", open_invoice)
