"""Cost-sharing plans: proposals, adoption by the body that decides, new versions, and invoicing the shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import rules as portal_rules
from core.models import NetworkProfile
from funding import sharing
from funding.calculation import ModelError
from funding.choices import InvoiceKind, InvoiceStatus, ModelStatus, Recurrence, SharingKey
from funding.invoice_numbers import INVOICE_SERIES, make_kid
from funding.models import Invoice, InvoiceLine, SharingParticipant, SharingPlan
from funding.services.contributions import _stored
from funding.services.invoices import (
    _allocate_number,
    _buyer_fields,
    _finish_issue,
    _seller_fields,
    buyer_problems,
    issue_date_problem,
)
from members.models import Organisation, PopulationFigure

PLAN_FIELDS = (
    "initiative",
    "purpose",
    "recurrence",
    "first_year",
    "last_year",
    "amount",
    "key",
    "equal_share",
    "unit",
    "population_date",
    "description",
)
PARTICIPANT_FIELDS = ("share", "usage", "exempt", "fixed_amount", "description")
POPULATION_KEYS = (SharingKey.POPULATION, SharingKey.MIX)


@dataclass(frozen=True)
class ParticipantInput:
    """A participant as the secretariat enters it."""

    organisation: Organisation
    share: Decimal | None = None
    usage: Decimal | None = None
    exempt: bool = False
    fixed_amount: Decimal | None = None
    description: str = ""


# ------------------------------------------------------------------------------------------------
# What can be done with a plan (pages ask through core.rules)


@portal_rules.rule
def sharing_plan_can_edit(plan: SharingPlan) -> bool:
    """Only a proposal is changed; an adopted plan is frozen and changed by a new version."""
    return plan.status == ModelStatus.PROPOSAL


@portal_rules.rule
def sharing_plan_can_adopt(plan: SharingPlan) -> bool:
    return plan.status == ModelStatus.PROPOSAL and plan.participants.exists()


@portal_rules.rule
def sharing_plan_is_in_force(plan: SharingPlan) -> bool:
    """The adopted version: what the participants pay."""
    return plan.status == ModelStatus.ADOPTED


@portal_rules.rule
def sharing_plan_can_invoice(plan: SharingPlan) -> bool:
    return sharing_plan_is_in_force(plan)


@portal_rules.rule
def sharing_plan_can_new_version(plan: SharingPlan) -> bool:
    """The adopted version can be followed by a new proposal, unless one is open already."""
    if plan.status != ModelStatus.ADOPTED:
        return False
    return not SharingPlan.objects.filter(number=plan.number, status=ModelStatus.PROPOSAL).exists()


@portal_rules.rule
def sharing_plan_compares_actuals(plan: SharingPlan) -> bool:
    """A plan for an initiative, once adopted, is set against what the initiative actually cost."""
    return plan.initiative_id is not None and plan.status != ModelStatus.PROPOSAL


@portal_rules.rule
def sharing_plan_is_public(plan: SharingPlan) -> bool:
    """Participants see adopted and superseded versions; proposals only the secretariat."""
    return plan.status != ModelStatus.PROPOSAL


# ------------------------------------------------------------------------------------------------
# Computing and saving


def to_sharing(plan: SharingPlan, participants: list[SharingParticipant]) -> sharing.Plan:
    """The pure plan for the engine, with each organisation's population on the plan's reference date."""
    populations: dict[int, int] = {}
    if plan.key in POPULATION_KEYS:
        if plan.population_date is None:
            raise ValidationError({"population_date": _("A key by population needs the population reference date.")})
        populations = dict(
            PopulationFigure.objects.filter(
                reference_date=plan.population_date, organisation__in=[p.organisation_id for p in participants]
            ).values_list("organisation_id", "count")
        )
        missing = [
            p.organisation.name
            for p in participants
            if p.organisation_id not in populations and not p.exempt and p.fixed_amount is None
        ]
        if missing:
            raise ValidationError(
                _("No population figures per %(date)s for %(names)s.")
                % {"date": plan.population_date.strftime("%d.%m.%Y"), "names": ", ".join(missing)}
            )
    return sharing.Plan(
        name=plan.purpose,
        amount=plan.amount,
        key=plan.key,
        participants=[
            sharing.Participant(
                id=str(p.organisation_id),
                population=populations.get(p.organisation_id, 0),
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


def _compute(plan: SharingPlan, participants: list[SharingParticipant]) -> None:
    """Fill in each participant's share, or refuse the plan with the engine's reason."""
    pure = to_sharing(plan, participants)
    try:
        shares = sharing.compute_shares(pure)
    except ModelError as error:
        raise ValidationError(_("The plan cannot be computed: %(reason)s") % {"reason": error}) from None
    for participant, pure_participant, share in zip(participants, pure.participants, shares, strict=True):
        participant.population = pure_participant.population if plan.key in POPULATION_KEYS else None
        participant.amount, participant.explanation = share.amount, share.explanation
        participant.exact = _stored(share.exact)


@transaction.atomic
def sharing_plan_save(
    *, plan: SharingPlan | None = None, participants: list[ParticipantInput], **values: Any
) -> SharingPlan:
    """Create a plan proposal, or change one; the shares are computed and stored with it."""
    if plan is not None:
        plan = SharingPlan.objects.select_for_update().get(pk=plan.pk)
        if not sharing_plan_can_edit(plan):
            raise ValidationError(_("An adopted plan is never changed; make a new version."))
    else:
        # The plan number is taken under a lock on the newest plan, so two new plans never share one.
        newest = SharingPlan.objects.select_for_update().order_by("-number").first()
        plan = SharingPlan(number=(newest.number + 1) if newest else 1)
    for name in PLAN_FIELDS:
        if name in values:
            setattr(plan, name, values[name])
    if plan.recurrence == Recurrence.ONCE:
        plan.last_year = None
    elif plan.last_year is None:
        plan.last_year = plan.first_year
    if not plan.initiative_id and not plan.purpose:
        raise ValidationError({"purpose": _("Name what is shared.")})
    plan.full_clean(exclude=["number", "version"])
    organisations = [p.organisation.pk for p in participants]
    if len(set(organisations)) != len(organisations):
        raise ValidationError(_("An organisation takes part in a plan only once."))
    rows = [
        SharingParticipant(
            plan=plan, organisation=p.organisation, **{name: getattr(p, name) for name in PARTICIPANT_FIELDS}
        )
        for p in participants
    ]
    _compute(plan, rows)
    plan.save()
    plan.participants.all().delete()
    for row in rows:
        row.plan = plan
        row.full_clean()
        row.save()
    return plan


@transaction.atomic
def sharing_plan_adopt(
    *, plan: SharingPlan, adopted_on: date, adopted_in_case: Any = None, adopted_by: str = ""
) -> SharingPlan:
    """Adopt a proposal as decided by the body in its case; the version it replaces is kept as superseded."""
    plan = SharingPlan.objects.select_for_update().get(pk=plan.pk)
    if not sharing_plan_can_adopt(plan):
        raise ValidationError(_("Only a proposal with participants can be adopted."))
    if adopted_in_case is not None and not adopted_by:
        adopted_by = f"{adopted_in_case.body.name}, sak {adopted_in_case.reference}"
    if not adopted_by:
        raise ValidationError({"adopted_by": _("Name the body and case that adopted the plan.")})
    # The shares are computed again from today's figures: what is adopted is what the participants pay.
    rows = list(plan.participants.select_related("organisation"))
    _compute(plan, rows)
    for row in rows:
        row.save(update_fields=["population", "amount", "exact", "explanation"])
    SharingPlan.objects.filter(number=plan.number, status=ModelStatus.ADOPTED).update(status=ModelStatus.SUPERSEDED)
    plan.status, plan.adopted_on, plan.adopted_by, plan.adopted_in_case = (
        ModelStatus.ADOPTED,
        adopted_on,
        adopted_by,
        adopted_in_case,
    )
    plan.full_clean()
    plan.save(update_fields=["status", "adopted_on", "adopted_by", "adopted_in_case", "updated_at"])
    return plan


@transaction.atomic
def sharing_plan_new_version(*, plan: SharingPlan) -> SharingPlan:
    """A new proposal copied from the adopted version; adopting it supersedes that version."""
    plan = SharingPlan.objects.select_for_update().get(pk=plan.pk)
    if not sharing_plan_can_new_version(plan):
        raise ValidationError(_("Only the adopted version without an open proposal gets a new version."))
    latest = SharingPlan.objects.filter(number=plan.number).aggregate(latest=Max("version"))["latest"] or 0
    copy = SharingPlan(
        number=plan.number,
        version=latest + 1,
        previous=plan,
        **{name: getattr(plan, name) for name in PLAN_FIELDS},
    )
    copy.full_clean()
    copy.save()
    for row in plan.participants.all():
        SharingParticipant.objects.create(
            plan=copy,
            organisation_id=row.organisation_id,
            population=row.population,
            amount=row.amount,
            exact=row.exact,
            explanation=row.explanation,
            **{name: getattr(row, name) for name in PARTICIPANT_FIELDS},
        )
    return copy


@dataclass(frozen=True)
class ChangeRow:
    """What changed for one organisation from the previous version."""

    organisation: Organisation
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


@dataclass
class PlanChanges:
    """What a version changed from the one before it."""

    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    shares: list[ChangeRow] = field(default_factory=list)


def sharing_plan_changes(plan: SharingPlan) -> PlanChanges | None:
    """What changed from the previous version, or None for a first version."""
    previous = plan.previous
    if previous is None:
        return None
    result = PlanChanges()
    for name in ("amount", "key", "equal_share", "unit", "population_date", "first_year", "last_year", "purpose"):
        before, after = getattr(previous, name), getattr(plan, name)
        if before != after:
            model_field = SharingPlan._meta.get_field(name)
            display = getattr(plan, f"get_{name}_display", None)
            shown_after = display() if display else after
            shown_before = getattr(previous, f"get_{name}_display")() if display else before
            result.fields.append(
                (str(getattr(model_field, "verbose_name", name)), str(shown_before or "–"), str(shown_after or "–"))
            )
    old = {row.organisation_id: row for row in previous.participants.select_related("organisation")}
    new = {row.organisation_id: row for row in plan.participants.select_related("organisation")}
    changes = sharing.changes(
        [sharing.Share(str(k), r.amount, r.exact, "", "") for k, r in old.items()],
        [sharing.Share(str(k), r.amount, r.exact, "", "") for k, r in new.items()],
    )
    for change in changes:
        key = int(change.participant_id)
        organisation = (new.get(key) or old[key]).organisation
        result.shares.append(ChangeRow(organisation, change.before, change.after))
    return result


# ------------------------------------------------------------------------------------------------
# Invoicing: one invoice per participant per plan period (year), in the one invoice series


def _live_invoice(*, plan: SharingPlan, organisation_id: int, year: int) -> Invoice | None:
    """The invoice not credited for this organisation's share of the plan (any version) in the year."""
    return (
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE,
            plan_share__plan__number=plan.number,
            plan_share__organisation_id=organisation_id,
            year=year,
        )
        .exclude(status=InvoiceStatus.CREDITED)
        .select_related("plan_share__plan")
        .first()
    )


def plan_buyer_reference(organisation: Organisation, plan: SharingPlan) -> str:
    """The buyer's own reference with the initiative (or purpose) named, as municipalities route on it."""
    named = plan.initiative.title if plan.initiative else plan.purpose
    return f"{organisation.buyer_reference} / {named}"[:100]


@transaction.atomic
def plan_invoice_issue(
    *, participant: SharingParticipant, year: int, issue_date: date, due_date: date, issued_by: Any = None
) -> tuple[Invoice, bool]:
    """Issue the invoice for one participant's share in one plan period, or return the one it has."""
    participant = SharingParticipant.objects.select_related("plan", "organisation", "plan__initiative").get(
        pk=participant.pk
    )
    plan = participant.plan
    # Every version of the plan is locked: a share is invoiced once per year whichever version is in force.
    list(SharingPlan.objects.select_for_update().filter(number=plan.number))
    if plan.status != ModelStatus.ADOPTED:
        raise ValidationError(_("Only the adopted version of a plan is invoiced."))
    if year not in plan.years:
        raise ValidationError({"year": _("The plan does not cover %(year)d.") % {"year": year}})
    existing = _live_invoice(plan=plan, organisation_id=participant.organisation_id, year=year)
    if existing is not None:
        if existing.plan_share_id == participant.pk:
            return existing, False
        raise ValidationError(
            _(
                "%(name)s's share for %(year)d was invoiced under version %(version)d (invoice %(number)s); "
                "credit that invoice before invoicing this version."
            )
            % {
                "name": participant.organisation.name,
                "year": year,
                "version": existing.plan_share.plan.version if existing.plan_share else 0,
                "number": existing.display_number,
            }
        )
    if participant.amount <= 0:
        raise ValidationError(_("A share of 0 is not invoiced."))
    if due_date < issue_date:
        raise ValidationError({"due_date": _("The due date cannot be before the invoice date.")})
    problems = buyer_problems(participant.organisation)
    if problems:
        raise ValidationError(
            _("%(name)s cannot be invoiced: %(problems)s.")
            % {"name": participant.organisation.name, "problems": "; ".join(problems)}
        )
    profile = NetworkProfile.current()
    number = _allocate_number(INVOICE_SERIES, issue_date)
    buyer = _buyer_fields(participant.organisation)
    buyer["buyer_reference"] = plan_buyer_reference(participant.organisation, plan)
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        series=INVOICE_SERIES,
        number=number,
        plan_share=participant,
        year=year,
        issue_date=issue_date,
        due_date=due_date,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        kid=make_kid(INVOICE_SERIES, number),
        total=participant.amount,
        **_seller_fields(profile),
        **buyer,
    )
    # Document text, in Bokmål like the rest of the invoice.
    period = "engangsbeløp" if plan.recurrence == Recurrence.ONCE else str(year)
    line = InvoiceLine(
        position=1,
        description=f"{plan.title} ({period})"[:200],
        note=f"{participant.explanation}. Fordelingsplan {plan.number} versjon {plan.version}, "
        f"vedtatt {plan.adopted_by}.",
        quantity=Decimal(1),
        unit_price=participant.amount,
        amount=participant.amount,
    )
    _finish_issue(invoice, [line], issued_by)
    return invoice, True


@dataclass
class PlanInvoicePreview:
    """What invoicing a plan for a year would issue, and what stops it."""

    plan: SharingPlan
    year: int
    to_invoice: list[SharingParticipant] = field(default_factory=list)
    already_invoiced: list[tuple[SharingParticipant, Invoice]] = field(default_factory=list)
    zero: list[SharingParticipant] = field(default_factory=list)
    problems: dict[int, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.to_invoice), Decimal(0))


def plan_invoice_preview(*, plan: SharingPlan, year: int) -> PlanInvoicePreview:
    preview = PlanInvoicePreview(plan=plan, year=year)
    for participant in plan.participants.select_related("organisation"):
        existing = _live_invoice(plan=plan, organisation_id=participant.organisation_id, year=year)
        if existing is not None:
            preview.already_invoiced.append((participant, existing))
        elif participant.amount <= 0:
            preview.zero.append(participant)
        else:
            preview.to_invoice.append(participant)
            problems = buyer_problems(participant.organisation)
            if problems:
                preview.problems[participant.organisation_id] = problems
    return preview


def sharing_plan_invoice(
    *, plan: SharingPlan, year: int, issue_date: date, due_date: date, issued_by: Any = None
) -> list[Invoice]:
    """Issue the plan's invoices for a year, each in its own transaction; running it again issues no duplicates.

    A plan has a handful of participants, so this runs in the request; documents are rendered in the background.
    """
    if not sharing_plan_can_invoice(plan):
        raise ValidationError(_("Only the adopted version of a plan is invoiced."))
    if not NetworkProfile.objects.exists():
        raise ValidationError(_("Set up the network profile (legal entity, organisation number, bank account) first."))
    preview = plan_invoice_preview(plan=plan, year=year)
    if preview.problems:
        names = ", ".join(p.organisation.name for p in preview.to_invoice if p.organisation_id in preview.problems)
        raise ValidationError(_("Some participants cannot be invoiced yet: %(names)s.") % {"names": names})
    if not preview.to_invoice:
        raise ValidationError(_("There is nothing to invoice for %(year)d.") % {"year": year})
    problem = issue_date_problem(series=INVOICE_SERIES, issue_date=issue_date)
    if problem:
        raise ValidationError({"issue_date": problem})
    issued = []
    for participant in preview.to_invoice:
        invoice, created = plan_invoice_issue(
            participant=participant, year=year, issue_date=issue_date, due_date=due_date, issued_by=issued_by
        )
        if created:
            issued.append(invoice)
    return issued
