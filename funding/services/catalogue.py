"""Priced services and their orders (ordered, agreed, delivered, invoiced), and one-off contributions with the
connection fee of an organisation that joins later; all invoiced through the one invoice machinery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import policy
from core import rules as portal_rules
from core.models import NetworkProfile
from funding import one_off
from funding.choices import InvoiceKind, InvoiceStatus, OrderStatus, PriceUnit
from funding.invoice_numbers import INVOICE_SERIES, make_kid
from funding.models import Invoice, InvoiceLine, OneOffModel, PricedService, ServiceOrder
from funding.services.invoices import _allocate_number, _buyer_fields, _finish_issue, _seller_fields, buyer_problems
from members.models import Organisation, PopulationFigure

SERVICE_FIELDS = ("title", "description", "unit", "unit_price", "financed_by", "access_details", "is_published")
ONE_OFF_FIELDS = (
    "name",
    "purpose",
    "population_date",
    "per_inhabitant_municipality",
    "per_inhabitant_county",
    "connection_fee",
    "decided_by",
)
UNIT_TEXT = {PriceUnit.UNIT: "stk.", PriceUnit.HOUR: "timer"}  # document text, in Bokmål like the invoice


# ------------------------------------------------------------------------------------------------
# What can be done with an order (pages ask through core.rules)


@portal_rules.rule
def order_can_agree(order: ServiceOrder) -> bool:
    return order.status == OrderStatus.ORDERED


@portal_rules.rule
def order_can_deliver(order: ServiceOrder) -> bool:
    return order.status == OrderStatus.AGREED


@portal_rules.rule
def order_can_invoice(order: ServiceOrder) -> bool:
    return order.status == OrderStatus.DELIVERED


@portal_rules.rule
def order_can_cancel(order: ServiceOrder) -> bool:
    return order.status in (OrderStatus.ORDERED, OrderStatus.AGREED)


def _locked(order: ServiceOrder) -> ServiceOrder:
    return ServiceOrder.objects.select_for_update().select_related("service", "organisation").get(pk=order.pk)


def _refuse_unless(allowed: bool, order: ServiceOrder) -> None:
    if not allowed:
        raise ValidationError(
            _("Order %(number)d is %(status)s; that cannot be done now.")
            % {"number": order.pk, "status": order.get_status_display().lower()}
        )


def _check_buyer(organisation: Organisation) -> None:
    if not NetworkProfile.objects.exists():
        raise ValidationError(_("Set up the network profile (legal entity, organisation number, bank account) first."))
    problems = buyer_problems(organisation)
    if problems:
        raise ValidationError(
            _("%(name)s cannot be invoiced: %(problems)s.")
            % {"name": organisation.name, "problems": "; ".join(problems)}
        )


def _check_dates(issue_date: date, due_date: date) -> None:
    if due_date < issue_date:
        raise ValidationError({"due_date": _("The due date cannot be before the invoice date.")})


# ------------------------------------------------------------------------------------------------
# The catalogue


@transaction.atomic
def priced_service_save(*, service: PricedService | None = None, **values: Any) -> PricedService:
    """Create a priced service or change one; orders keep the price they were placed at."""
    service = service or PricedService()
    for name in SERVICE_FIELDS:
        if name in values:
            setattr(service, name, values[name])
    service.full_clean()
    service.save()
    return service


# ------------------------------------------------------------------------------------------------
# Orders


@transaction.atomic
def service_order_place(
    *, service: PricedService, organisation: Organisation, quantity: Decimal, description: str = "", ordered_by: Any
) -> ServiceOrder:
    """A member orders a service at today's price; the order waits for its director's or finance officer's word."""
    service = PricedService.objects.select_for_update().get(pk=service.pk)
    if not service.is_published:
        raise ValidationError(_("%(service)s is not offered any more.") % {"service": service.title})
    if service.financed_by_id and not policy.organisation_contributed(organisation.pk, service.financed_by_id):
        raise ValidationError(
            _(
                "%(service)s is financed by %(model)s and open only to those who contributed; take it into use "
                "(with the connection fee) first."
            )
            % {"service": service.title, "model": service.financed_by}
        )
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than 0.")})
    order = ServiceOrder(
        service=service,
        organisation=organisation,
        unit=service.unit,
        unit_price=service.unit_price,
        quantity=quantity,
        description=description,
        ordered_by=ordered_by if getattr(ordered_by, "pk", None) else None,
    )
    order.full_clean()
    order.save()
    return order


@transaction.atomic
def service_order_agree(*, order: ServiceOrder, agreed_by: Any) -> ServiceOrder:
    """The member's director or finance officer agrees to the order and its price."""
    order = _locked(order)
    _refuse_unless(order_can_agree(order), order)
    order.status, order.agreed_at = OrderStatus.AGREED, timezone.now()
    order.agreed_by = agreed_by if getattr(agreed_by, "pk", None) else None
    order.full_clean()
    order.save(update_fields=["status", "agreed_at", "agreed_by"])
    return order


@transaction.atomic
def service_order_deliver(*, order: ServiceOrder, delivered_quantity: Decimal, delivered_on: date) -> ServiceOrder:
    """The secretariat marks the order delivered with the quantity actually delivered (hours spent, units)."""
    order = _locked(order)
    _refuse_unless(order_can_deliver(order), order)
    if delivered_quantity is None or delivered_quantity <= 0:
        raise ValidationError({"delivered_quantity": _("The delivered quantity must be more than 0.")})
    if delivered_on is None:
        raise ValidationError({"delivered_on": _("Give the date of delivery.")})
    if order.agreed_at and delivered_on < timezone.localdate(order.agreed_at):
        raise ValidationError({"delivered_on": _("An order is delivered after it is agreed.")})
    order.status, order.delivered_quantity, order.delivered_on = OrderStatus.DELIVERED, delivered_quantity, delivered_on
    order.full_clean()
    order.save(update_fields=["status", "delivered_quantity", "delivered_on"])
    return order


@transaction.atomic
def service_order_cancel(*, order: ServiceOrder) -> ServiceOrder:
    order = _locked(order)
    _refuse_unless(order_can_cancel(order), order)
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    return order


def order_buyer_reference(order: ServiceOrder) -> str:
    """The buyer's own reference with the order named, as municipalities route on it."""
    return f"{order.organisation.buyer_reference} / Bestilling {order.pk}"[:100]


@transaction.atomic
def service_order_invoice(
    *, order: ServiceOrder, issue_date: date, due_date: date, issued_by: Any = None
) -> tuple[Invoice, bool]:
    """Invoice a delivered order for the quantity delivered, or return its invoice: (invoice, created)."""
    order = _locked(order)
    existing = Invoice.objects.filter(service_order=order, kind=InvoiceKind.INVOICE).exclude(
        status=InvoiceStatus.CREDITED
    )
    if (invoice := existing.first()) is not None:
        return invoice, False
    _refuse_unless(order_can_invoice(order), order)
    delivered_on, delivered_quantity, amount = order.delivered_on, order.delivered_quantity, order.delivered_amount
    # A delivered order has its quantity, date and agreement (check constraints).
    assert delivered_on is not None and delivered_quantity is not None and amount is not None
    assert order.agreed_at is not None
    _check_dates(issue_date, due_date)
    if issue_date < delivered_on:
        raise ValidationError({"issue_date": _("An order is invoiced on or after the day it was delivered.")})
    _check_buyer(order.organisation)
    profile = NetworkProfile.current()
    number = _allocate_number(INVOICE_SERIES, issue_date)
    buyer = _buyer_fields(order.organisation)
    buyer["buyer_reference"] = order_buyer_reference(order)
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        series=INVOICE_SERIES,
        number=number,
        service_order=order,
        year=delivered_on.year,
        issue_date=issue_date,
        due_date=due_date,
        period_start=delivered_on,
        period_end=delivered_on,
        kid=make_kid(INVOICE_SERIES, number),
        total=amount,
        **_seller_fields(profile),
        **buyer,
    )
    # Document text, in Bokmål like the rest of the invoice.
    line = InvoiceLine(
        position=1,
        description=f"{order.service.title} (bestilling {order.pk})"[:200],
        note=f"Levert {delivered_on:%d.%m.%Y}: {_number(delivered_quantity)} "
        f"{UNIT_TEXT[PriceUnit(order.unit)]} à {_number(order.unit_price)} kr. Bestilt {order.ordered_at:%d.%m.%Y}, "
        f"godkjent {timezone.localdate(order.agreed_at):%d.%m.%Y}.",
        quantity=delivered_quantity,
        unit_price=order.unit_price,
        amount=amount,
    )
    _finish_issue(invoice, [line], issued_by)
    order.status = OrderStatus.INVOICED
    order.save(update_fields=["status"])
    return invoice, True


def order_reopen_after_credit(*, invoice: Invoice) -> None:
    """A credited order invoice leaves its order delivered again, to be invoiced anew."""
    if invoice.service_order_id:
        ServiceOrder.objects.filter(pk=invoice.service_order_id, status=OrderStatus.INVOICED).update(
            status=OrderStatus.DELIVERED
        )


def _number(value: Decimal) -> str:
    text = f"{value:.2f}".replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


# ------------------------------------------------------------------------------------------------
# One-off contributions


@transaction.atomic
def one_off_model_save(*, model: OneOffModel | None = None, **values: Any) -> OneOffModel:
    """Create a one-off model, or change one nobody has been invoiced for yet."""
    if model is not None and model.invoices.exists():
        raise ValidationError(_("%(name)s has been invoiced; it is not changed any more.") % {"name": model.name})
    model = model or OneOffModel()
    for name in ONE_OFF_FIELDS:
        if name in values:
            setattr(model, name, values[name])
    model.full_clean()
    model.save()
    return model


def one_off_rates(model: OneOffModel) -> one_off.Rates:
    return one_off.Rates(
        municipality=model.per_inhabitant_municipality, county_municipality=model.per_inhabitant_county
    )


def one_off_live_invoice(*, model: OneOffModel, organisation_id: int) -> Invoice | None:
    return (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, one_off_model=model, organisation_id=organisation_id)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CREDITED])
        .first()
    )


def one_off_contributors(model: OneOffModel) -> list[tuple[Organisation, Invoice]]:
    """Who contributed: each organisation with its live invoice (contribution or connection fee)."""
    invoices = (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, one_off_model=model)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CREDITED])
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return [(invoice.organisation, invoice) for invoice in invoices]


def one_off_share_of(*, model: OneOffModel, organisation: Organisation) -> one_off.OneOffShare:
    """What `organisation` owes once, from its population on the model's reference date (refused without one)."""
    if one_off_rates(model).for_kind(organisation.kind) is None:
        raise ValidationError(
            _("%(name)s is not a municipality or county municipality; the one-off has no rate for it.")
            % {"name": organisation.name}
        )
    figure = PopulationFigure.objects.filter(organisation=organisation, reference_date=model.population_date).first()
    if figure is None:
        raise ValidationError(
            _("%(name)s has no population figure for %(date)s.")
            % {"name": organisation.name, "date": model.population_date.strftime("%d.%m.%Y")}
        )
    return one_off.one_off_share(kind=organisation.kind, inhabitants=figure.count, rates=one_off_rates(model))


def _one_off_issue(
    *,
    model: OneOffModel,
    organisation: Organisation,
    amount: Decimal,
    description: str,
    note: str,
    issue_date: date,
    due_date: date,
    issued_by: Any,
) -> tuple[Invoice, bool]:
    # The model row is locked, so two issuers cannot both invoice the same organisation.
    model = OneOffModel.objects.select_for_update().get(pk=model.pk)
    existing = one_off_live_invoice(model=model, organisation_id=organisation.pk)
    if existing is not None:
        return existing, False
    if amount <= 0:
        raise ValidationError(_("An amount of 0 is not invoiced."))
    _check_dates(issue_date, due_date)
    _check_buyer(organisation)
    profile = NetworkProfile.current()
    number = _allocate_number(INVOICE_SERIES, issue_date)
    buyer = _buyer_fields(organisation)
    buyer["buyer_reference"] = f"{organisation.buyer_reference} / {model.name}"[:100]
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        series=INVOICE_SERIES,
        number=number,
        one_off_model=model,
        year=issue_date.year,
        issue_date=issue_date,
        due_date=due_date,
        period_start=issue_date,
        period_end=issue_date,
        kid=make_kid(INVOICE_SERIES, number),
        total=amount,
        **_seller_fields(profile),
        **buyer,
    )
    line = InvoiceLine(
        position=1, description=description[:200], note=note, quantity=Decimal(1), unit_price=amount, amount=amount
    )
    _finish_issue(invoice, [line], issued_by)
    return invoice, True


@transaction.atomic
def one_off_invoice_issue(
    *, model: OneOffModel, organisation: Organisation, issue_date: date, due_date: date, issued_by: Any = None
) -> tuple[Invoice, bool]:
    """Invoice an organisation's one-off contribution, or return its live invoice (at most one per model)."""
    share = one_off_share_of(model=model, organisation=organisation)
    # Document text, in Bokmål like the rest of the invoice.
    return _one_off_issue(
        model=model,
        organisation=organisation,
        amount=share.amount,
        description=f"{model.name} (engangsbidrag)",
        note=f"{share.explanation} per {model.population_date:%d.%m.%Y}. Vedtatt av {model.decided_by}.",
        issue_date=issue_date,
        due_date=due_date,
        issued_by=issued_by,
    )


@dataclass
class OneOffPreview:
    """What invoicing the one-off for chosen organisations would issue, and what stops it."""

    model: OneOffModel
    to_invoice: list[tuple[Organisation, one_off.OneOffShare]] = field(default_factory=list)
    already_invoiced: list[tuple[Organisation, Invoice]] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((share.amount for _org, share in self.to_invoice), Decimal(0))


def one_off_preview(*, model: OneOffModel, organisations: list[Organisation]) -> OneOffPreview:
    preview = OneOffPreview(model=model)
    for organisation in organisations:
        existing = one_off_live_invoice(model=model, organisation_id=organisation.pk)
        if existing is not None:
            preview.already_invoiced.append((organisation, existing))
            continue
        try:
            share = one_off_share_of(model=model, organisation=organisation)
        except ValidationError as error:
            preview.problems[organisation.pk] = " ".join(error.messages)
            continue
        preview.to_invoice.append((organisation, share))
        if problems := buyer_problems(organisation):
            preview.problems[organisation.pk] = "; ".join(problems)
    return preview


def one_off_invoice(
    *, model: OneOffModel, organisations: list[Organisation], issue_date: date, due_date: date, issued_by: Any = None
) -> list[Invoice]:
    """Invoice the one-off for the chosen organisations, each in its own transaction; again issues no duplicates."""
    preview = one_off_preview(model=model, organisations=organisations)
    if preview.problems:
        names = {o.pk: o.name for o in organisations}
        raise ValidationError(
            _("Some organisations cannot be invoiced yet: %(problems)s.")
            % {"problems": "; ".join(f"{names[pk]}: {text}" for pk, text in preview.problems.items())}
        )
    if not preview.to_invoice:
        raise ValidationError(_("Every organisation chosen is invoiced already."))
    _check_dates(issue_date, due_date)
    issued = []
    for organisation, _share in preview.to_invoice:
        invoice, created = one_off_invoice_issue(
            model=model, organisation=organisation, issue_date=issue_date, due_date=due_date, issued_by=issued_by
        )
        if created:
            issued.append(invoice)
    return issued


@portal_rules.rule
def service_can_take_into_use(service: PricedService) -> bool:
    """A solution a one-off finances, with a connection fee, can be taken into use by one who did not contribute."""
    return service.financed_by_id is not None and service.is_published


@transaction.atomic
def solution_take_into_use(
    *, service: PricedService, organisation: Organisation, taken_by: Any = None, today: date | None = None
) -> Invoice:
    """An organisation that did not contribute takes a financed solution into use: its connection fee is invoiced
    now, and it counts as a contributor from then on."""
    if not service_can_take_into_use(service):
        raise ValidationError(_("%(service)s is open to every member; order it instead.") % {"service": service})
    model = service.financed_by
    assert model is not None
    if policy.organisation_contributed(organisation.pk, model.pk):
        raise ValidationError(
            _("%(name)s has contributed to %(model)s already and may use %(service)s.")
            % {"name": organisation.name, "model": model.name, "service": service.title}
        )
    from funding.services.invoices import default_due_date, latest_issue_date

    today = today or timezone.localdate()
    # Numbers and dates run in the same order: never dated before the latest invoice of the series.
    issue_date = max(today, latest_issue_date(INVOICE_SERIES) or today)
    invoice, _created = _one_off_issue(
        model=model,
        organisation=organisation,
        amount=model.connection_fee,
        description=f"{model.name}: tilknytningskostnad",
        note=f"Tilknytning til {service.title}, finansiert av {model.name} (vedtatt av {model.decided_by}), for "
        f"{organisation.name}, som ikke bidro med engangsbidraget.",
        issue_date=issue_date,
        due_date=default_due_date(issue_date),
        issued_by=taken_by,
    )
    return invoice
