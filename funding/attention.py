"""What in the money year is out of date, blocked or waiting, each with the page where it is mended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.runs import RunStatus
from funding import services
from funding.choices import InvoiceKind, ModelStatus
from funding.models import ContributionModel, Invoice, InvoiceRun, RecomputeRun
from funding.services.invoices import OPEN_STATUSES

OVERDUE_NAMED = 10  # overdue invoices named one by one on the start page


@dataclass(frozen=True)
class Attention:
    text: str
    url: str


def _years(today: date) -> list[int]:
    """This year, and every later year a model is adopted or proposed for."""
    later = ContributionModel.objects.filter(year__gt=today.year).exclude(status=ModelStatus.SUPERSEDED)
    return sorted({today.year, *later.values_list("year", flat=True)})


def _last_run_failed(model: type[RecomputeRun] | type[InvoiceRun], year: int):
    last = model.objects.filter(year=year).order_by("-created_at", "-pk").first()
    return last if last is not None and last.status == RunStatus.FAILED else None


def money_attention(*, today: date | None = None) -> list[Attention]:
    today = today or timezone.localdate()
    items: list[Attention] = []
    deflators = services.deflator_series()
    for year in _years(today):
        adopted = services.adopted_model(year)
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
        for model in ContributionModel.objects.filter(year=year).exclude(status=ModelStatus.SUPERSEDED):
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
    # Open (not paid, not credited) and past the due date as the last reminder moved it: one query.
    overdue = (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__lt=today)
        .annotate(reminded=Max("reminders__new_due_date"))
        .annotate(due=Greatest("due_date", Coalesce("reminded", "due_date")))
        .filter(due__lt=today)
        .order_by("due", "number")
    )
    # The first few by name, the rest counted: a year nobody has paid yet would otherwise list every invoice.
    named = list(overdue[:OVERDUE_NAMED])
    for invoice in named:
        items.append(
            Attention(
                _("Invoice %(number)s to %(name)s is overdue (due %(date)s)")
                % {
                    "number": invoice.display_number,
                    "name": invoice.buyer_name,
                    "date": invoice.due.strftime("%d.%m.%Y"),
                },
                invoice.get_absolute_url(),
            )
        )
    more = overdue.count() - len(named) if len(named) == OVERDUE_NAMED else 0
    if more:
        text = ngettext("and %(count)d more overdue invoice", "and %(count)d more overdue invoices", more)
        items.append(Attention(text % {"count": more}, reverse("funding:invoice_list")))
    return items
