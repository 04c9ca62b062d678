"""The one-off reference cases (tests/data/reference/one-off), run through the portal: invoiced once per
organisation, a later joiner's connection fee, payments, what is outstanding and who may use the solution."""

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core import policy
from funding.models import Invoice
from funding.services import payment_register
from funding.services.catalogue import (
    one_off_invoice,
    one_off_model_save,
    priced_service_save,
    solution_take_into_use,
)
from tests.factories import OrganisationFactory, PopulationFigureFactory, network_profile

REFERENCE = Path(__file__).parents[1] / "data" / "reference" / "one-off"
CASES = sorted(p.name for p in REFERENCE.iterdir() if p.is_dir())

pytestmark = pytest.mark.django_db


def test_there_is_a_reference_case_from_ks_digifin():
    assert "ks-digifin-2017" in CASES


@pytest.mark.parametrize("case", CASES)
def test_reference_case(case, personas):
    folder = REFERENCE / case
    network_profile(personas.host)
    values = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    values["population_date"] = date.fromisoformat(values["population_date"])
    model = one_off_model_save(**values)
    solution = priced_service_save(
        title="Løsning",
        description="Finansiert av engangsbidraget",
        unit="unit",
        unit_price=Decimal(0),
        financed_by=model,
    )
    members = list(csv.DictReader((folder / "members.csv").open(encoding="utf-8")))
    organisations = {}
    for row in members:
        organisation = OrganisationFactory(name=row["name"], kind=row["kind"])
        PopulationFigureFactory(
            organisation=organisation, reference_date=model.population_date, count=int(row["population"])
        )
        organisations[row["name"]] = organisation
    contributors = [organisations[r["name"]] for r in members if r["joined_later"] == "0"]
    one_off_invoice(model=model, organisations=contributors, issue_date=date(2017, 3, 1), due_date=date(2017, 3, 31))
    for row in members:
        if row["joined_later"] == "1":
            solution_take_into_use(service=solution, organisation=organisations[row["name"]], today=date(2026, 5, 4))
    for row in members:
        if Decimal(row["paid"]):
            invoice = Invoice.objects.get(organisation=organisations[row["name"]], one_off_model=model)
            payment_register(invoice=invoice, amount=Decimal(row["paid"]), paid_on=date(2017, 3, 20))
    # Invoicing the one-off again issues nothing new.
    assert Invoice.objects.filter(one_off_model=model).count() == len(members)

    for row in csv.DictReader((folder / "expected.csv").open(encoding="utf-8")):
        invoice = Invoice.objects.get(organisation=organisations[row["name"]], one_off_model=model)
        assert invoice.lines.get().description == row["line"], row["name"]
        assert invoice.total == Decimal(row["amount"]), row["name"]
        assert invoice.outstanding == Decimal(row["outstanding"]), row["name"]
        assert policy.organisation_contributed(invoice.organisation_id, model.pk) == (row["may_use"] == "1")
    assert not policy.organisation_contributed(personas.own.pk, model.pk)
