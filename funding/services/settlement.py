"""Actual costs of initiatives, and the year-end settlement of a plan period by the plan's own key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from core import rules as portal_rules
from core.models import NetworkProfile
from funding import calculation as engine
from funding import sharing
from funding.actual_costs_file import ActualCostsFileError, parse_actual_costs
from funding.calculation import ModelError
from funding.choices import InvoiceKind, InvoiceStatus, ModelStatus, SharingKey
from funding.explanations import DOCUMENT_LANGUAGE, _kr
from funding.invoice_numbers import CREDIT_NOTE_SERIES, INVOICE_SERIES, display_number, make_kid
from funding.models import (
    ActualCost,
    Invoice,
    InvoiceLine,
    Settlement,
    SettlementShare,
    SharingParticipant,
    SharingPlan,
)
from funding.models.invoices import PARTY_FIELDS
from funding.services.contributions import _stored
from funding.services.invoices import (
    _allocate_number,
    _buyer_fields,
    _finish_issue,
    _seller_fields,
    buyer_problems,
    invoice_refresh_status,
    issue_date_problem,
)
from funding.services.sharing import POPULATION_KEYS, _live_invoice, plan_buyer_reference
from portfolio.models import Initiative

# ------------------------------------------------------------------------------------------------
# Actual costs


@transaction.atomic
def actual_cost_save(
    *, initiative: Initiative, year: int, amount: Decimal, note: str = "", user: Any = None
) -> ActualCost:
    """Set what an initiative cost in a year (entered again, the figure replaces the one before)."""
    cost = ActualCost.objects.select_for_update().filter(initiative=initiative, year=year).first()
    cost = cost or ActualCost(initiative=initiative, year=year)
    cost.amount, cost.note = amount, note
    cost.updated_by = user if getattr(user, "pk", None) else None
    cost.full_clean(validate_constraints=False)
    cost.save()
    return cost


@transaction.atomic
def actual_costs_import(*, content: bytes, user: Any = None) -> list[ActualCost]:
    """Import the host's accounts file whole, or refuse it whole naming every bad line; importing the same figures
    again changes nothing."""
    try:
        rows = parse_actual_costs(content)
    except ActualCostsFileError as error:
        raise ValidationError(error.errors) from None
    known = set(Initiative.objects.filter(pk__in={row.initiative for row in rows}).values_list("pk", flat=True))
    unknown = [
        _("Line %(line)s, initiative: there is no initiative number %(number)s.")
        % {"line": row.line, "number": row.initiative}
        for row in rows
        if row.initiative not in known
    ]
    if unknown:
        raise ValidationError(unknown)
    initiatives = Initiative.objects.in_bulk(known)
    return [
        actual_cost_save(initiative=initiatives[row.initiative], year=row.year, amount=row.amount, user=user)
        for row in rows
    ]


# ------------------------------------------------------------------------------------------------
# What can be done (pages ask through core.rules)


@portal_rules.rule
def sharing_plan_can_settle(plan: SharingPlan) -> bool:
    """The version in force of an initiative's plan is settled against the initiative's actual costs."""
    return plan.status == ModelStatus.ADOPTED and plan.initiative_id is not None


# ------------------------------------------------------------------------------------------------
# Settlement


@dataclass
class SettlementPreview:
    """What settling a plan period would do, and what stops it."""

    plan: SharingPlan
    year: int
    actual: Decimal | None = None
    invoiced: Decimal = Decimal(0)
    shares: list[tuple[SharingParticipant, sharing.Share, Invoice | None]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    settled: Settlement | None = None

    @property
    def difference(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.invoiced


def _invoiced(invoice: Invoice) -> Decimal:
    """What a live plan invoice charges net of the credit notes issued against it."""
    return invoice.total - invoice.credited_amount


def settlement_preview(*, plan: SharingPlan, year: int) -> SettlementPreview:
    preview = SettlementPreview(plan=plan, year=year)
    preview.settled = Settlement.objects.filter(plan_number=plan.number, year=year).first()
    if preview.settled is not None:
        preview.problems.append(
            _("%(year)d is settled already (%(date)s).") % {"year": year, "date": preview.settled.settled_on}
        )
        return preview
    if not sharing_plan_can_settle(plan):
        preview.problems.append(_("Only the adopted version of an initiative's plan is settled."))
        return preview
    if year not in plan.years:
        preview.problems.append(_("The plan does not cover %(year)d.") % {"year": year})
        return preview
    initiative = plan.initiative
    assert initiative is not None  # sharing_plan_can_settle
    others = (
        SharingPlan.objects.filter(initiative=initiative, status=ModelStatus.ADOPTED, first_year__lte=year)
        .filter(Q(last_year__gte=year) | Q(last_year__isnull=True, first_year=year))
        .exclude(number=plan.number)
    )
    if others.exists():
        preview.problems.append(
            _(
                "The initiative has another plan in force in %(year)d, so its actual cost cannot be set against "
                "this plan alone."
            )
            % {"year": year}
        )
    cost = ActualCost.objects.filter(initiative=initiative, year=year).first()
    if cost is None:
        preview.problems.append(
            _("Enter the actual cost of %(initiative)s in %(year)d first.")
            % {"initiative": initiative.title, "year": year}
        )
    else:
        preview.actual = engine._round_half_up(cost.amount)
    participants = list(plan.participants.select_related("organisation"))
    organisations = {p.organisation_id for p in participants}
    invoices: dict[int, Invoice] = {}
    for participant in participants:
        invoice = _live_invoice(plan=plan, organisation_id=participant.organisation_id, year=year)
        if invoice is not None:
            invoices[participant.organisation_id] = invoice
        elif participant.amount > 0:
            preview.problems.append(
                _("%(name)s's share for %(year)d is not invoiced; invoice the plan before settling it.")
                % {"name": participant.organisation.name, "year": year}
            )
    strays = Invoice.objects.filter(kind=InvoiceKind.INVOICE, plan_share__plan__number=plan.number, year=year)
    for stray in strays.exclude(status=InvoiceStatus.CREDITED).exclude(organisation_id__in=organisations):
        preview.problems.append(
            _("%(name)s has invoice %(number)s for %(year)d but is not in the version in force; credit it first.")
            % {"name": stray.buyer_name, "number": stray.display_number, "year": year}
        )
    preview.invoiced = sum((_invoiced(invoice) for invoice in invoices.values()), Decimal(0))
    if preview.actual is None or preview.problems:
        return preview
    if not engine._is_whole(preview.invoiced):
        preview.problems.append(_("The plan's invoices are not whole kroner net of credits; settle by hand."))
        return preview
    pure = sharing.Plan(
        name=plan.title,
        amount=plan.amount,
        key=plan.key,
        participants=[
            sharing.Participant(
                id=str(p.organisation_id),
                # The figures the plan was adopted with: the settlement uses the same key, explained the same way.
                population=p.population or 0,
                share=p.share,
                usage=p.usage,
                exempt=p.exempt,
                fixed_amount=p.fixed_amount,
                description=p.description,
            )
            for p in participants
        ],
        equal_share=plan.equal_share if plan.key == SharingKey.MIX else Decimal(0),
        unit=plan.unit,
        population_date=plan.population_date if plan.key in POPULATION_KEYS else None,
    )
    try:
        shares = sharing.settlement_shares(pure, year=year, actual=preview.actual, invoiced=preview.invoiced)
    except ModelError as error:
        preview.problems.append(_("The settlement cannot be computed: %(reason)s") % {"reason": error})
        return preview
    for participant, share in zip(participants, shares, strict=True):
        invoice = invoices.get(participant.organisation_id)
        preview.shares.append((participant, share, invoice))
        if share.amount > 0:
            problems = buyer_problems(participant.organisation)
            if problems:
                preview.problems.append(
                    _("%(name)s cannot be invoiced: %(problems)s.")
                    % {"name": participant.organisation.name, "problems": "; ".join(problems)}
                )
        elif share.amount < 0 and (invoice is None or -share.amount > _invoiced(invoice)):
            preview.problems.append(
                _("%(name)s would be credited more than its invoice for %(year)d charges; settle by hand.")
                % {"name": participant.organisation.name, "year": year}
            )
    return preview


@transaction.atomic
def plan_settle(
    *, plan: SharingPlan, year: int, issue_date: date, due_date: date, settled_by: Any = None
) -> Settlement:
    """Settle a plan period once: the difference between actual cost and what the plan invoiced is shared by the
    plan's key; each participant gets an extra invoice or a credit note of part of its plan invoice."""
    # Every version of the plan is locked: a period is settled once whichever version is in force.
    list(SharingPlan.objects.select_for_update().filter(number=plan.number))
    plan = SharingPlan.objects.select_related("initiative").get(pk=plan.pk)
    if not NetworkProfile.objects.exists():
        raise ValidationError(_("Set up the network profile (legal entity, organisation number, bank account) first."))
    preview = settlement_preview(plan=plan, year=year)
    if preview.problems:
        raise ValidationError(preview.problems)
    if due_date < issue_date:
        raise ValidationError({"due_date": _("The due date cannot be before the invoice date.")})
    if any(share.amount > 0 for _p, share, _i in preview.shares):
        problem = issue_date_problem(series=INVOICE_SERIES, issue_date=issue_date)
        if problem:
            raise ValidationError({"issue_date": problem})
    if any(share.amount < 0 for _p, share, _i in preview.shares):
        problem = issue_date_problem(series=CREDIT_NOTE_SERIES, issue_date=issue_date)
        if problem:
            raise ValidationError({"issue_date": problem})
        if any(
            invoice and issue_date < invoice.issue_date for _p, share, invoice in preview.shares if share.amount < 0
        ):
            raise ValidationError({"issue_date": _("A credit note cannot be dated before the invoice it credits.")})
    assert preview.actual is not None
    settlement = Settlement(
        plan=plan,
        plan_number=plan.number,
        year=year,
        actual=preview.actual,
        invoiced=preview.invoiced,
        difference=preview.actual - preview.invoiced,
        settled_on=issue_date,
        settled_by=settled_by if getattr(settled_by, "pk", None) else None,
    )
    settlement.full_clean()
    settlement.save()
    profile = NetworkProfile.current()
    for participant, share, invoice in preview.shares:
        row = SettlementShare(
            settlement=settlement,
            participant=participant,
            organisation=participant.organisation,
            original_invoice=invoice,
            amount=share.amount,
            exact=_stored(share.exact),
            explanation=share.explanation,
        )
        row.full_clean()
        row.save()
        if share.amount > 0:
            _extra_invoice(row, plan, profile, issue_date=issue_date, due_date=due_date, issued_by=settled_by)
        elif share.amount < 0 and invoice is not None:
            _partial_credit_note(row, plan, invoice, issue_date=issue_date, issued_by=settled_by)
    return settlement


def _line_text(plan: SharingPlan, year: int) -> str:
    return f"Avregning {plan.title} ({year})"[:200]


def _extra_invoice(
    row: SettlementShare,
    plan: SharingPlan,
    profile: NetworkProfile,
    *,
    issue_date: date,
    due_date: date,
    issued_by: Any,
) -> Invoice:
    """An invoice for what a participant owes beyond its plan invoice, referring to that invoice."""
    year = row.settlement.year
    number = _allocate_number(INVOICE_SERIES, issue_date)
    buyer = _buyer_fields(row.organisation)
    buyer["buyer_reference"] = plan_buyer_reference(row.organisation, plan)
    original = row.original_invoice
    reference = (
        f" Tillegg til faktura {original.display_number} av {original.issue_date.strftime('%d.%m.%Y')}."
        if original
        else ""
    )
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        series=INVOICE_SERIES,
        number=number,
        settlement_share=row,
        year=year,
        issue_date=issue_date,
        due_date=due_date,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        kid=make_kid(INVOICE_SERIES, number),
        total=row.amount,
        note=reference.strip(),
        **_seller_fields(profile),
        **buyer,
    )
    line = InvoiceLine(
        position=1,
        description=_line_text(plan, year),
        note=f"{row.explanation}.{reference} Fordelingsplan {plan.number} versjon {plan.version}, "
        f"vedtatt {plan.adopted_by}.",
        quantity=Decimal(1),
        unit_price=row.amount,
        amount=row.amount,
    )
    return _finish_issue(invoice, [line], issued_by)


def _partial_credit_note(
    row: SettlementShare, plan: SharingPlan, invoice: Invoice, *, issue_date: date, issued_by: Any
) -> Invoice:
    """A credit note of part of a plan invoice: what the participant paid beyond its share of the actual cost."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = -row.amount
    number = _allocate_number(CREDIT_NOTE_SERIES, issue_date)
    reference = f"faktura {display_number(invoice.series, invoice.number)} av {invoice.issue_date.strftime('%d.%m.%Y')}"
    credit = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        series=CREDIT_NOTE_SERIES,
        number=number,
        settlement_share=row,
        credited_invoice=invoice,
        year=invoice.year,
        issue_date=issue_date,
        due_date=None,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        kid=make_kid(CREDIT_NOTE_SERIES, number),
        total=amount,
        # Document text, in Bokmål like the rest of the credit note (Invoice.credit_reason reads the reason back).
        note=f"Krediterer {_kr_plain(amount)} kr av {reference}. Årsak: avregning mot faktiske kostnader "
        f"{row.settlement.year}",
        organisation=invoice.organisation,
        **{name: getattr(invoice, name) for name in PARTY_FIELDS},
    )
    line = InvoiceLine(
        position=1,
        description=_line_text(plan, row.settlement.year),
        note=f"{row.explanation}. Delvis kreditering av {reference}.",
        quantity=Decimal(1),
        unit_price=amount,
        amount=amount,
    )
    _finish_issue(credit, [line], issued_by)
    invoice_refresh_status(invoice=invoice)
    if getattr(invoice, "delivery", None) is not None:
        # The buyer received the invoice through Peppol, so the credit note goes the same way.
        from funding.services.delivery import invoice_queue_for_peppol

        invoice_queue_for_peppol(invoice=credit)
    return credit


def _kr_plain(amount: Decimal) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        return _kr(amount)
