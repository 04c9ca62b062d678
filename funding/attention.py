"""What in the money year is out of date, blocked or waiting, each with the page where it is mended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.db import remembered
from core.runs import RunStatus
from funding import services
from funding.choices import InvoiceKind, ModelStatus
from funding.models import ContributionModel, Invoice, InvoiceRun, RecomputeRun, Reminder
from funding.services.contributions import OUT_OF_DATE_READS
from funding.services.invoices import OPEN_STATUSES

OVERDUE_NAMED = 10  # overdue invoices named one by one on the start page


@dataclass(frozen=True)
class Attention:
    text: str
    url: str


def _last_run_failed(model: type[RecomputeRun] | type[InvoiceRun], year: int):
    last = model.objects.filter(year=year).order_by("-created_at", "-pk").first()
    return last if last is not None and last.status == RunStatus.FAILED else None


def overdue_invoices(*, today: date, first: int) -> tuple[list[tuple[Invoice, date]], int]:
    """The `first` open invoices (not paid, not credited) past their due date as the last reminder moved it, by
    that date and number, each with that date; and how many there are in all.

    Taken in two parts, so that no date is worked out per invoice in SQL (with a year unpaid that was a subquery
    for each of thousands of invoices): those never reminded, whose date is their own (the first few in order and
    a count, from the due date's index), and those reminded (few), whose date is the later of their own and the
    last reminder's.
    """
    open_past = Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__lt=today)
    reminders_of = Reminder.objects.filter(invoice=OuterRef("pk"))
    never_reminded = open_past.filter(~Exists(reminders_of)).order_by("due_date", "number")
    last_reminder = dict(
        Reminder.objects.filter(invoice__in=open_past).values_list("invoice").annotate(last=Max("new_due_date"))
    )
    candidates = [
        (due_date, number or 0, pk)
        for pk, number, due_date in never_reminded.values_list("pk", "number", "due_date")[:first]
    ]
    reminded = [
        (max(due_date, last_reminder[pk]), number or 0, pk)
        for pk, number, due_date in open_past.filter(pk__in=list(last_reminder)).values_list("pk", "number", "due_date")
    ]
    reminded_overdue = [row for row in reminded if row[0] < today]
    chosen = sorted(candidates + reminded_overdue)[:first]
    by_pk = Invoice.objects.in_bulk([pk for _due, _number, pk in chosen])
    named = [(by_pk[pk], due) for due, _number, pk in chosen]
    if len(candidates) < first:  # every never reminded one is among the candidates
        total = len(candidates) + len(reminded_overdue)
    else:  # all open and past their own date, less those a reminder gave a date still to come
        total = open_past.count() - (len(reminded) - len(reminded_overdue))
    return named, total


# Every table money_attention reads (tests/funding/test_remembered_answers.py checks the list against its queries).
ATTENTION_READS = (*OUT_OF_DATE_READS, RecomputeRun, InvoiceRun, Invoice, Reminder)


def money_attention(*, today: date | None = None) -> list[Attention]:
    """What the secretariat's start page lists first. Kept while the tables it is worked out from are as they were
    (core.db.remembered), for the day and the language: it takes a dozen queries, on every visit."""
    today = today or timezone.localdate()
    return remembered(
        "funding:attention",
        ATTENTION_READS,
        (today.isoformat(), translation.get_language()),
        lambda: _money_attention(today),
    )


def _money_attention(today: date) -> list[Attention]:
    items: list[Attention] = []
    deflators = services.deflator_series()
    # This year's models and every later year's in one query (the later years are those with a model).
    models: dict[int, list[ContributionModel]] = {today.year: []}
    for model in (
        ContributionModel.objects.filter(year__gte=today.year)
        .exclude(status=ModelStatus.SUPERSEDED)
        .order_by("year", "pk")
    ):
        models.setdefault(model.year, []).append(model)
    for year in sorted(models):
        adopted = next((model for model in models[year] if model.status == ModelStatus.ADOPTED), None)
        try:
            stale = services.contributions_out_of_date(year=year)
        except services.RecomputeBlocked as blocked:
            names = ", ".join(o.name for o in blocked.organisations[:10])
            text = _("%(year)d: the contributions cannot be computed: %(reason)s") % {"year": year, "reason": blocked}
            url = adopted.get_absolute_url() if adopted else reverse("funding:model_list")
            if blocked.organisations:
                text = f"{text} ({names})"
                url = reverse("members:population_import")
            items.append(Attention(text, url))
        else:
            if stale:
                items.append(
                    Attention(
                        _("%(year)d: contributions out of date for %(names)s")
                        % {"year": year, "names": ", ".join(stale)},
                        adopted.get_absolute_url() if adopted else reverse("funding:model_list"),
                    )
                )
        for model in models[year]:
            missing = services.missing_deflators(model, deflators)
            if missing and model.status != ModelStatus.ADOPTED:  # the adopted model's block is reported above
                items.append(
                    Attention(
                        _("%(model)s needs the deflator for %(years)s")
                        % {"model": model.name, "years": ", ".join(str(y) for y in missing)},
                        reverse("funding:deflator_set"),
                    )
                )
        for run_model, label in ((RecomputeRun, _("recompute")), (InvoiceRun, _("invoice run"))):
            failed = _last_run_failed(run_model, year)
            if failed is not None:
                items.append(
                    Attention(
                        _("%(year)d: the last %(run)s failed: %(error)s")
                        % {"year": year, "run": label, "error": failed.error},
                        failed.get_absolute_url(),
                    )
                )
    named, total = overdue_invoices(today=today, first=OVERDUE_NAMED)
    for invoice, due in named:
        items.append(
            Attention(
                _("Invoice %(number)s to %(name)s is overdue (due %(date)s)")
                % {
                    "number": invoice.display_number,
                    "name": invoice.buyer_name,
                    "date": due.strftime("%d.%m.%Y"),
                },
                invoice.get_absolute_url(),
            )
        )
    more = total - len(named)
    if more:
        text = ngettext("and %(count)d more overdue invoice", "and %(count)d more overdue invoices", more)
        items.append(Attention(text % {"count": more}, reverse("funding:invoice_list")))
    return items
