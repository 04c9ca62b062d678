"""Demo funding for the DigiVestland-like network: the 2021-2024 model's successor for 2025 and 2026,
two proposals, deflators and budgets, with contributions computed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import NetworkProfile
from funding.choices import ModelMode, ModelStatus
from funding.models import Contribution, ContributionModel
from funding.services import (
    OverrideInput,
    RuleInput,
    budget_save,
    contribution_model_save,
    contributions_recompute,
    deflator_set,
    invoice_issue,
    invoices_mark_overdue,
    payment_register,
)
from members.models import Organisation

DEMO_SOURCE = "Demoverdi (omtrent som kommunal deflator i statsbudsjettet)"
DEFLATORS = {2025: Decimal("0.042"), 2026: Decimal("0.035")}
POPULATION_DATE = date(2024, 1, 1)  # the latest official figures in the demo data (per 31.12.2023)
POPULATION_NOTE = (
    "Folketall per 31.12.2023 (SSB, publisert 1.1.2024) er det siste som finnes i demodataene, og brukes derfor."
)
HOST_IN_KIND = Decimal("9100000")
UNPAID_2025 = {"4621"}  # Voss
PARTLY_PAID_2025 = {"4640"}  # Sogndal


def _formula_rules(fixed: str, per_inhabitant: str, cap: str | None) -> list[RuleInput]:
    return [RuleInput("municipality", Decimal(fixed), Decimal(per_inhabitant), Decimal(cap) if cap else None)]


def _upsert_model(name: str, *, year: int, status: str, values: dict, rules, overrides) -> ContributionModel:
    model = ContributionModel.objects.filter(name=name, year=year).first()
    model = contribution_model_save(
        model=model, values={"name": name, "year": year, **values}, rules=rules, overrides=overrides
    )
    if model.status != status:
        model.status = status
        if status == ModelStatus.ADOPTED:
            model.adopted_on = date(year - 1, 11, 27)
            model.adopted_by = f"Styringsgruppen, sak {30 + year % 100}/{(year - 1) % 100:02d}"
        model.save(update_fields=["status", "adopted_on", "adopted_by"])
    return model


def load_demo() -> None:
    for year, rate in DEFLATORS.items():
        deflator_set(year=year, rate=rate, source=DEMO_SOURCE)
    host = Organisation.objects.get(is_host=True)
    exempt_host = [
        OverrideInput(host, True, None, HOST_IN_KIND, "Vertskommune: stiller sekretariat, kontor og egeninnsats")
    ]
    common = {
        "base_year": 2025,
        "mode": ModelMode.FORMULA,
        "cap_indexed": False,
        "population_date": POPULATION_DATE,
        "description": "Fast grunnbeløp og kroner per innbygger med tak, prisjustert med kommunal deflator fra "
        "2025. Taket følger ikke deflatoren. " + POPULATION_NOTE,
    }
    for year in (2025, 2026):
        _upsert_model(
            "DigiVestland 2025–2028",
            year=year,
            status=ModelStatus.ADOPTED,
            values=common,
            rules=_formula_rules("100000", "20", "500000"),
            overrides=exempt_host,
        )
    _upsert_model(
        "Forslag: taket følger deflatoren",
        year=2026,
        status=ModelStatus.PROPOSAL,
        values={**common, "cap_indexed": True, "description": "Som vedtatt modell, men taket prisjusteres også."},
        rules=_formula_rules("100000", "20", "500000"),
        overrides=exempt_host,
    )
    _upsert_model(
        "Forslag: 30 % likt, 70 % etter folketall",
        year=2026,
        status=ModelStatus.PROPOSAL,
        values={
            **common,
            "mode": ModelMode.SHARE,
            "target_total": Decimal("10100000"),
            "equal_share": Decimal("0.3"),
            "description": "Fordeler grunnfinansieringen på 10,1 mill. kr: 30 % likt på alle, resten etter "
            "folketall. Vertskommunen er fritatt.",
        },
        rules=[],
        overrides=exempt_host,
    )
    budget_save(
        year=2025,
        staff_costs=Decimal("10600000"),
        project_costs=Decimal("10400000"),
        other_costs=Decimal("1600000"),
        grant_income=Decimal("2600000"),
        host_in_kind=HOST_IN_KIND,
        other_income=Decimal("0"),
        notes="Skjønnsmidler fra Statsforvalteren: 2,6 mill. kr til fire prosjekter.",
    )
    budget_save(
        year=2026,
        staff_costs=Decimal("11000000"),
        project_costs=Decimal("13200000"),
        other_costs=Decimal("1700000"),
        grant_income=Decimal("6400000"),
        host_in_kind=HOST_IN_KIND,
        other_income=Decimal("0"),
        notes="Tilskudd: skjønnsmidler 2,6 mill. kr og KS-midler til e-helse 3,8 mill. kr.",
    )
    for year in (2025, 2026):
        contributions_recompute(year=year)
    _network_profile(host)
    _invoices_2025()


def _network_profile(host: Organisation) -> None:
    profile = NetworkProfile.objects.first() or NetworkProfile()
    profile.name = "DigiVestland"
    profile.legal_name = host.legal_name
    profile.org_number = host.org_number
    profile.street_address = "Postboks 7700"
    profile.postal_code = "5020"
    profile.city = "Bergen"
    profile.email = "digivestland@demo.invalid"
    profile.bank_account = "15030112358"  # a demo account number with a valid check digit
    profile.full_clean()
    profile.save()


def _invoices_2025() -> None:
    """Last year's invoices are issued and mostly paid; two members still owe money."""
    issue_date, due_date = date(2025, 2, 14), date(2025, 3, 16)
    for contribution in Contribution.objects.filter(year=2025, amount__gt=0).select_related("organisation"):
        invoice, _created = invoice_issue(contribution=contribution, issue_date=issue_date, due_date=due_date)
        if invoice.payments.exists() or contribution.organisation.number in UNPAID_2025:
            continue
        amount = invoice.total if contribution.organisation.number not in PARTLY_PAID_2025 else invoice.total / 2
        payment_register(invoice=invoice, amount=amount, paid_on=date(2025, 3, 10), reference="Demo: innbetaling")
    invoices_mark_overdue()


def load_sharing_demo() -> None:
    """A project shared equally among four municipalities (Helgeland's way), adopted by the steering group."""
    from funding.models import SharingPlan
    from funding.services.sharing import ParticipantInput, sharing_plan_adopt, sharing_plan_save
    from portfolio.models import Initiative

    initiative = Initiative.objects.filter(title="Velferdsteknologi i hjemmetjenesten").first()
    purpose = "Prosjektledelse 2026"
    if initiative is None or SharingPlan.objects.filter(initiative=initiative, purpose=purpose).exists():
        return
    participants = [
        ParticipantInput(organisation=organisation)
        for organisation in Organisation.objects.filter(number__in=["4634", "4621", "4647", "4602"]).order_by("name")
    ]
    plan = sharing_plan_save(
        initiative=initiative,
        purpose=purpose,
        recurrence="yearly",
        first_year=2026,
        last_year=2026,
        amount=Decimal(420000),
        key="equal",
        description="Prosjektlederen for velferdsteknologi deles likt mellom de fire kommunene som deltar.",
        participants=participants,
    )
    sharing_plan_adopt(plan=plan, adopted_on=date(2026, 1, 20), adopted_by="Styringsgruppen, sak 4/26")


def load_settlement_demo() -> None:
    """The shared project's 2026 shares invoiced, its actual cost from the host's accounts, and the year settled:
    it cost less than planned, so each municipality gets a credit note of part of its invoice."""
    from funding.invoice_numbers import CREDIT_NOTE_SERIES, INVOICE_SERIES
    from funding.models import Settlement, SharingPlan
    from funding.services.invoices import latest_issue_date
    from funding.services.settlement import actual_cost_save, plan_settle
    from funding.services.sharing import sharing_plan_invoice

    plan = SharingPlan.objects.filter(purpose="Prosjektledelse 2026", status=ModelStatus.ADOPTED).first()
    if plan is None or plan.initiative is None or Settlement.objects.filter(plan_number=plan.number).exists():
        return
    # Issue dates never go back in a series: the demo's dates follow whatever the demo issued before.
    invoiced_on = max(date(2026, 2, 16), latest_issue_date(INVOICE_SERIES) or date(2026, 2, 16))
    if not plan.participants.filter(invoices__year=2026).exists():
        sharing_plan_invoice(plan=plan, year=2026, issue_date=invoiced_on, due_date=invoiced_on + timedelta(days=30))
    actual_cost_save(
        initiative=plan.initiative, year=2026, amount=Decimal("398000"), note="Hovedbok, prosjekt 2617 (demo)"
    )
    settled_on = max(date(2026, 11, 30), invoiced_on, latest_issue_date(CREDIT_NOTE_SERIES) or invoiced_on)
    plan_settle(plan=plan, year=2026, issue_date=settled_on, due_date=settled_on + timedelta(days=30))


def _not_before_latest(wanted: date) -> date:
    """An invoice date that keeps numbers and dates in the same order, whatever the demo issued before."""
    from funding.invoice_numbers import INVOICE_SERIES
    from funding.services.invoices import latest_issue_date

    latest = latest_issue_date(INVOICE_SERIES)
    return max(wanted, latest) if latest else wanted


def load_catalogue_demo() -> None:
    """A service ordered by Masfjorden, agreed, delivered and invoiced; a one-off contribution from four
    municipalities (the demo's county has no population figure), financing a solution open only to them (Voss
    may join by paying the fee)."""
    from funding.choices import OrderStatus
    from funding.models import OneOffModel, PricedService, ServiceOrder
    from funding.services.catalogue import (
        one_off_invoice,
        one_off_model_save,
        one_off_preview,
        priced_service_save,
        service_order_agree,
        service_order_deliver,
        service_order_invoice,
        service_order_place,
    )
    from members.models import User

    advice = PricedService.objects.filter(title="Personvernrådgivning (DPIA)").first() or priced_service_save(
        title="Personvernrådgivning (DPIA)",
        description="Sekretariatets personvernrådgiver hjelper med en vurdering av personvernkonsekvenser (DPIA).",
        unit="hour",
        unit_price=Decimal(950),
    )
    masfjorden = Organisation.objects.get(number="4634")
    order = ServiceOrder.objects.filter(service=advice, organisation=masfjorden).first()
    if order is None:
        officer = User.objects.filter(organisation=masfjorden, is_finance_officer=True).first()
        order = service_order_place(
            service=advice,
            organisation=masfjorden,
            quantity=Decimal(10),
            description="DPIA for ny velferdsteknologiplattform.",
            ordered_by=officer,
        )
        order = service_order_agree(order=order, agreed_by=officer)
        # Delivered today: an order is delivered after it is agreed, and it was agreed just now.
        order = service_order_deliver(
            order=order, delivered_quantity=Decimal("12.5"), delivered_on=timezone.localdate()
        )
    if order.status == OrderStatus.DELIVERED:
        issue_date = _not_before_latest(order.delivered_on)
        service_order_invoice(order=order, issue_date=issue_date, due_date=issue_date + timedelta(days=30))

    model = OneOffModel.objects.filter(name="Felles innsynsløsning 2026").first() or one_off_model_save(
        name="Felles innsynsløsning 2026",
        purpose="Engangsbidrag til utvikling av en felles innsynsløsning, etter mønster av KS Digifin: løsningen kan "
        "kun tas i bruk av dem som har bidratt med midler.",
        population_date=POPULATION_DATE,
        per_inhabitant_municipality=Decimal(20),
        per_inhabitant_county=Decimal(5),
        connection_fee=Decimal(60000),
        decided_by="Styringsgruppen, sak 4/26",
    )
    if not PricedService.objects.filter(financed_by=model).exists():
        priced_service_save(
            title="Felles innsynsløsning",
            description="Innsyn i saker og journaler for innbyggerne, felles for dem som finansierte den.",
            unit="unit",
            unit_price=Decimal(0),
            financed_by=model,
            access_details="Påloggingsadresse og brukerveiledning: https://innsyn.demo.invalid",
        )
    contributors = list(Organisation.objects.filter(number__in=["4634", "4647", "4602", "4640"]).order_by("name"))
    preview = one_off_preview(model=model, organisations=contributors)
    if preview.to_invoice and not preview.problems:
        issue_date = _not_before_latest(timezone.localdate())
        one_off_invoice(
            model=model,
            organisations=[o for o, _share in preview.to_invoice],
            issue_date=issue_date,
            due_date=issue_date + timedelta(days=30),
        )
