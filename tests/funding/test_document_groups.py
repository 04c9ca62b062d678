"""An invoice run queues its invoices' documents in groups, one task for DOCUMENTS_PER_TASK invoices, each invoice
once its own transaction has committed; a group's task renders every invoice of the group, and one invoice that
fails leaves the others rendered."""

import logging
from datetime import date

import pytest
import weasyprint
from celery.signals import task_prerun
from django.db import transaction

from funding.models import Contribution, Invoice, InvoiceRun
from funding.services import contributions_recompute, invoice_document_bytes, invoice_issue, invoice_run_execute
from funding.services.invoices import DOCUMENTS_PER_TASK, documents_in_groups
from funding.tasks import render_documents_of_invoices
from tests.factories import OrganisationFactory, PopulationFigureFactory

pytestmark = pytest.mark.django_db(transaction=True)
ISSUE, DUE = date(2026, 11, 23), date(2026, 12, 23)


@pytest.fixture
def many_members(invoicing):
    """The personas' network with enough members for two whole groups and part of a third."""
    for _ in range(2 * DOCUMENTS_PER_TASK + 1):
        PopulationFigureFactory(organisation=OrganisationFactory(), count=5000)
    contributions_recompute(year=2026)
    return list(Contribution.objects.filter(year=2026, amount__gt=0).order_by("organisation__name", "pk"))


@pytest.fixture
def tasks_started():
    """(task name, invoice ids) of each documents task that starts (tasks run in process in the suite)."""
    started: list[tuple[str, list[int]]] = []

    def record(sender=None, args=(), **kwargs):
        if "documents" in sender.name:
            started.append((sender.name, list(args[0]) if isinstance(args[0], list) else [args[0]]))

    task_prerun.connect(record, weak=False)
    yield started
    task_prerun.disconnect(record)


def _with_documents() -> set[int]:
    return set(Invoice.objects.exclude(pdf_sha256="").exclude(ehf_sha256="").values_list("pk", flat=True))


def test_a_run_renders_every_invoice_in_groups_in_the_order_issued(many_members, tasks_started):
    total = len(many_members)
    run = invoice_run_execute(run_id=InvoiceRun.objects.create(year=2026, issue_date=ISSUE, due_date=DUE).pk)
    assert (run.status, run.issued) == ("succeeded", total)
    issued = list(Invoice.objects.order_by("number").values_list("pk", flat=True))
    assert [ids for _, ids in tasks_started] == [
        issued[start : start + DOCUMENTS_PER_TASK] for start in range(0, total, DOCUMENTS_PER_TASK)
    ]
    assert {name for name, ids in tasks_started if len(ids) > 1} == {"funding.tasks.render_documents_of_invoices"}
    assert _with_documents() == set(issued)


def test_invoices_issued_in_a_transaction_are_queued_when_it_commits_and_not_at_all_when_it_rolls_back(
    many_members, tasks_started
):
    first, second, *rest = many_members
    with pytest.raises(ZeroDivisionError), transaction.atomic(), documents_in_groups(size=2):
        invoice_issue(contribution=first, issue_date=ISSUE, due_date=DUE)
        invoice_issue(contribution=second, issue_date=ISSUE, due_date=DUE)
        1 / 0  # noqa: B018
    assert tasks_started == [] and not Invoice.objects.exists()

    with transaction.atomic():
        with documents_in_groups(size=2):
            issued = [invoice_issue(contribution=c, issue_date=ISSUE, due_date=DUE)[0].pk for c in rest[:3]]
        assert tasks_started == [], "nothing leaves before the transaction commits"
    assert [ids for _, ids in tasks_started] == [issued[:2], issued[2:]]
    assert _with_documents() == set(issued)


def test_an_invoice_rolled_back_inside_a_committed_transaction_is_not_queued(many_members, tasks_started):
    """Its savepoint rolled back (something after issuing it failed): it never existed, and its group does not
    name it."""
    first, second, third, *_ = many_members
    with transaction.atomic(), documents_in_groups(size=2):
        kept = invoice_issue(contribution=first, issue_date=ISSUE, due_date=DUE)[0].pk
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            invoice_issue(contribution=second, issue_date=ISSUE, due_date=DUE)
            1 / 0  # noqa: B018
        also_kept = invoice_issue(contribution=third, issue_date=ISSUE, due_date=DUE)[0].pk
    assert [ids for _, ids in tasks_started] == [[kept, also_kept]]
    assert set(Invoice.objects.values_list("pk", flat=True)) == _with_documents() == {kept, also_kept}


def test_an_invoice_whose_documents_fail_stops_neither_its_group_nor_the_run(many_members, monkeypatch):
    """The third PDF of the run cannot be rendered: the run issues every invoice, the documents of all the others
    are rendered, and those of the third are rendered on first download."""
    render = weasyprint.HTML.write_pdf
    calls = 0

    def third_fails(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("WeasyPrint: cannot load font")
        return render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", third_fails)
    run = invoice_run_execute(run_id=InvoiceRun.objects.create(year=2026, issue_date=ISSUE, due_date=DUE).pk)
    assert (run.status, run.issued, run.error) == ("succeeded", len(many_members), "")
    issued = list(Invoice.objects.order_by("number").values_list("pk", flat=True))
    assert _with_documents() == set(issued) - {issued[2]}
    monkeypatch.undo()
    assert invoice_document_bytes(invoice=Invoice.objects.get(pk=issued[2]), kind="pdf").startswith(b"%PDF")


def test_outside_a_group_each_invoice_is_queued_alone(many_members, tasks_started):
    with documents_in_groups():
        pass  # an empty group sends nothing
    invoices = [invoice_issue(contribution=c, issue_date=ISSUE, due_date=DUE)[0] for c in many_members[:2]]
    assert tasks_started == [("funding.tasks.render_invoice_documents", [invoice.pk]) for invoice in invoices]


@pytest.mark.django_db  # in the test's transaction: the invoices' commit callbacks do not run, no documents yet
def test_the_groups_task_renders_the_others_when_one_fails_and_then_fails_naming_it(many_members, caplog):
    invoices = [invoice_issue(contribution=c, issue_date=ISSUE, due_date=DUE)[0] for c in many_members[:2]]
    assert _with_documents() == set()
    missing = max(invoice.pk for invoice in invoices) + 1000
    with caplog.at_level(logging.ERROR, logger="funding.tasks"), pytest.raises(RuntimeError, match=str(missing)):
        render_documents_of_invoices.apply(args=[[invoices[0].pk, missing, invoices[1].pk]])
    assert _with_documents() == {invoice.pk for invoice in invoices}
    assert f"The documents of invoice {missing} could not be rendered" in caplog.text

    history = sum(invoice.history.count() for invoice in invoices)
    assert render_documents_of_invoices.apply(args=[[i.pk for i in invoices]]).get() == 2  # delivered twice
    assert sum(invoice.history.count() for invoice in invoices) == history, "nothing rendered again"
