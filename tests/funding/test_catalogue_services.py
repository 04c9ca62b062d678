"""Services ordered from the secretariat (ordered, agreed, delivered, invoiced) and one-off contributions with the
solutions they finance, through the portal's services and the one invoice machinery."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from core import policy
from funding.choices import InvoiceStatus, OrderStatus, PriceUnit
from funding.models import Invoice, ServiceOrder
from funding.services import credit_note_issue, invoice_document_bytes
from funding.services.catalogue import (
    one_off_contributors,
    one_off_invoice,
    one_off_model_save,
    priced_service_save,
    service_order_agree,
    service_order_cancel,
    service_order_deliver,
    service_order_invoice,
    service_order_place,
    solution_take_into_use,
)
from tests.ehf_validation import validate
from tests.factories import PopulationFigureFactory, network_profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_february_2026():
    # Orders are agreed before they are delivered: the clock stands before the delivery dates used here.
    with time_machine.travel(datetime(2026, 2, 20, 10, 0, tzinfo=ZoneInfo("Europe/Oslo")), tick=False):
        yield


@pytest.fixture
def network(personas):
    network_profile(personas.host)
    return personas


def advice(**values):
    defaults = {
        "title": "Rådgivning personvern",
        "description": "DPIA-støtte fra sekretariatets personvernrådgiver.",
        "unit": PriceUnit.HOUR,
        "unit_price": Decimal(950),
    }
    return priced_service_save(**{**defaults, **values})


def delivered_order(personas, hours=Decimal(10), delivered=Decimal("12.5")):
    order = service_order_place(
        service=advice(), organisation=personas.own, quantity=hours, ordered_by=personas.contact
    )
    service_order_agree(order=order, agreed_by=personas.finance)
    return service_order_deliver(order=order, delivered_quantity=delivered, delivered_on=date(2026, 3, 2))


def test_an_order_is_agreed_delivered_and_invoiced_for_the_hours_delivered_at_the_price_agreed(network):
    order = delivered_order(network)
    order.service.unit_price = Decimal(2000)  # a later price change does not touch the order
    order.service.save()

    invoice, created = service_order_invoice(order=order, issue_date=date(2026, 3, 5), due_date=date(2026, 4, 4))

    assert created and invoice.total == Decimal("11875.00")  # 12.5 h × 950
    line = invoice.lines.get()
    assert line.description == f"Rådgivning personvern (bestilling {order.pk})"
    assert (line.quantity, line.unit_price) == (Decimal("12.50"), Decimal("950.00"))
    assert invoice.buyer_reference == f"4634-DIGI / Bestilling {order.pk}"
    order.refresh_from_db()
    assert order.status == OrderStatus.INVOICED
    # Asking again returns the same invoice.
    assert service_order_invoice(order=order, issue_date=date(2026, 3, 6), due_date=date(2026, 4, 4)) == (
        invoice,
        False,
    )
    report = validate(invoice_document_bytes(invoice=invoice, kind="ehf"), "invoice")
    assert report.schema_errors == [] and report.fatal == []
    assert invoice_document_bytes(invoice=invoice, kind="pdf").startswith(b"%PDF")


def test_an_order_moves_only_forward_through_its_states(network):
    order = service_order_place(service=advice(), organisation=network.own, quantity=Decimal(3), ordered_by=None)
    with pytest.raises(ValidationError, match="awaiting agreement"):
        service_order_deliver(order=order, delivered_quantity=Decimal(3), delivered_on=date(2026, 3, 2))
    with pytest.raises(ValidationError, match="cannot be done now"):
        service_order_invoice(order=order, issue_date=date(2026, 3, 5), due_date=date(2026, 4, 4))
    service_order_agree(order=order, agreed_by=network.director)
    with pytest.raises(ValidationError, match="cannot be done now"):
        service_order_agree(order=order, agreed_by=network.director)
    with pytest.raises(ValidationError) as refused:
        service_order_deliver(order=order, delivered_quantity=Decimal(0), delivered_on=date(2026, 3, 2))
    assert "more than 0" in str(refused.value)
    service_order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and not Invoice.objects.exists()


def test_the_database_refuses_an_order_delivered_without_its_quantity(network):
    order = service_order_place(service=advice(), organisation=network.own, quantity=Decimal(3), ordered_by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceOrder.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger refuses it")
def test_an_invoiced_order_is_never_edited_and_a_credit_note_opens_it_for_a_new_invoice(network):
    order = delivered_order(network)
    invoice, _ = service_order_invoice(order=order, issue_date=date(2026, 3, 5), due_date=date(2026, 4, 4))
    with pytest.raises(DatabaseError, match="invoiced and cannot be changed"), transaction.atomic():
        ServiceOrder.objects.filter(pk=order.pk).update(delivered_quantity=Decimal(1))
    with (
        pytest.raises(DatabaseError, match="invoiced and cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM funding_serviceorder WHERE id = %s", [order.pk])

    credit = credit_note_issue(invoice=invoice, reason="Feil timetall", issue_date=date(2026, 3, 6))

    assert credit.service_order_id == order.pk
    report = validate(invoice_document_bytes(invoice=credit, kind="ehf"), "credit_note")
    assert report.schema_errors == [] and report.fatal == []
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    again, created = service_order_invoice(order=order, issue_date=date(2026, 3, 6), due_date=date(2026, 4, 5))
    assert created and again.pk != invoice.pk


# ------------------------------------------------------------------------------------------------
# One-off contributions


@pytest.fixture
def digifin(network):
    model = one_off_model_save(
        name="KS Digifin 2017",
        purpose="Felles løsninger",
        population_date=date(2017, 1, 1),
        per_inhabitant_municipality=Decimal(20),
        per_inhabitant_county=Decimal(5),
        connection_fee=Decimal(25000),
        decided_by="KS Digifin, styret sak 3/17",
    )
    for organisation, count in ((network.own, 5084), (network.foreign, 14000)):
        PopulationFigureFactory(organisation=organisation, reference_date=date(2017, 1, 1), count=count)
    solution = advice(
        title="Felles innsynsløsning",
        unit=PriceUnit.UNIT,
        unit_price=Decimal(0),
        financed_by=model,
        access_details="https://innsyn.example.no",
    )
    return network, model, solution


def test_a_one_off_is_invoiced_once_per_organisation_and_its_solution_opens_only_to_contributors(digifin):
    personas, model, solution = digifin
    [invoice] = one_off_invoice(
        model=model, organisations=[personas.own], issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31)
    )
    assert invoice.total == Decimal(101680)
    assert (
        invoice.lines.get().note.replace("\xa0", " ").startswith("20 kr × 5 084 innbyggere = 101 680 kr per 01.01.2017")
    )
    report = validate(invoice_document_bytes(invoice=invoice, kind="ehf"), "invoice")
    assert report.schema_errors == [] and report.fatal == []
    with pytest.raises(ValidationError, match="invoiced already"):
        one_off_invoice(
            model=model, organisations=[personas.own], issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31)
        )

    assert policy.can_use_service(personas.contact, solution)
    assert not policy.can_use_service(personas.outsider, solution)
    with pytest.raises(ValidationError, match="open only to those who contributed"):
        service_order_place(service=solution, organisation=personas.foreign, quantity=Decimal(1), ordered_by=None)
    with pytest.raises(ValidationError, match="not changed any more"):
        one_off_model_save(model=model, name="Endret")


def test_a_later_joiner_pays_the_connection_fee_once_and_may_then_use_the_solution(digifin):
    personas, model, solution = digifin
    invoice = solution_take_into_use(
        service=solution, organisation=personas.foreign, taken_by=personas.outsider, today=date(2026, 5, 1)
    )
    assert invoice.total == Decimal(25000) and invoice.one_off_model == model
    assert invoice.lines.get().description == "KS Digifin 2017: tilknytningskostnad"
    report = validate(invoice_document_bytes(invoice=invoice, kind="ehf"), "invoice")
    assert report.schema_errors == [] and report.fatal == []
    assert policy.can_use_service(personas.outsider, solution)
    with pytest.raises(ValidationError, match="contributed to KS Digifin 2017 already"):
        solution_take_into_use(service=solution, organisation=personas.foreign, today=date(2026, 5, 2))
    # Nor can the one-off itself be invoiced on top of the connection fee.
    with pytest.raises(ValidationError, match="invoiced already"):
        one_off_invoice(
            model=model, organisations=[personas.foreign], issue_date=date(2026, 5, 2), due_date=date(2026, 6, 1)
        )


def test_a_credited_one_off_closes_the_solution_again_and_may_be_invoiced_anew(digifin):
    personas, model, solution = digifin
    [invoice] = one_off_invoice(
        model=model, organisations=[personas.own], issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31)
    )
    credit = credit_note_issue(invoice=invoice, reason="Trakk seg", issue_date=date(2026, 3, 2))
    assert credit.one_off_model_id == model.pk
    assert not policy.can_use_service(personas.contact, solution)
    assert one_off_contributors(model) == []
    [again] = one_off_invoice(
        model=model, organisations=[personas.own], issue_date=date(2026, 3, 3), due_date=date(2026, 4, 2)
    )
    assert again.status == InvoiceStatus.ISSUED
    assert [o for o, _ in one_off_contributors(model)] == [personas.own]


def test_the_database_holds_one_live_invoice_per_organisation_and_one_off(digifin):
    personas, model, _solution = digifin
    [invoice] = one_off_invoice(
        model=model, organisations=[personas.own], issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31)
    )
    copy = Invoice.objects.get(pk=invoice.pk)
    copy.pk, copy.number, copy.kid, copy.status = None, 99, "", InvoiceStatus.DRAFT
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_an_organisation_without_a_population_figure_on_the_reference_date_is_named(digifin):
    personas, model, _solution = digifin
    personas.own.population_figures.all().delete()
    with pytest.raises(ValidationError, match=r"Masfjorden: Masfjorden has no population figure for 01\.01\.2017"):
        one_off_invoice(
            model=model, organisations=[personas.own], issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31)
        )
    assert not Invoice.objects.exists()


def test_a_delivered_amount_is_rounded_half_up_to_the_ore_as_the_ehf_rules_compute_it():
    order = ServiceOrder(unit_price=Decimal("950.50"), quantity=Decimal(1), delivered_quantity=Decimal("12.25"))
    assert order.delivered_amount == Decimal("11643.63")  # 11 643.625
