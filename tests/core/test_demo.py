from django.core.management import call_command

from funding.models import Contribution, ContributionModel, Invoice
from members.models import Organisation, PopulationFigure, User


def counts():
    return [
        model.objects.count()
        for model in (Organisation, PopulationFigure, User, ContributionModel, Contribution, Invoice)
    ]


def test_demo_is_a_realistic_network_and_loading_it_again_changes_nothing(db, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    assert "sekretariat" in output and "demo-passord-2026" in output
    first = counts()
    assert first[0] == 47 and first[1] == 43  # 43 Vestland municipalities, the county and three partners
    from members.models import Agreement

    assert sorted(set(Agreement.objects.values_list("status", flat=True))) == ["declined", "in_force", "invited"]
    assert Organisation.objects.get(is_host=True).name == "Bergen"
    assert Organisation.objects.filter(membership_status__in=["member", "notice_given"]).count() == 40
    assert set(ContributionModel.objects.filter(status="adopted").values_list("year", flat=True)) == {2025, 2026}
    assert Contribution.objects.get(organisation__number="4634", year=2025).amount == 133880
    # Every buyer has a whole address (street, postcode, town), and its invoices carry it.
    assert all(all(o.invoice_address) for o in Organisation.objects.filter(kind="municipality"))
    masfjorden_invoice = Invoice.objects.filter(organisation__number="4634", kind="invoice").first()
    assert masfjorden_invoice is not None
    assert masfjorden_invoice.buyer_address == {
        "street": "Austfjordvegen 2165",
        "postal_code": "5981",
        "city": "Masfjordnes",
        "country": "NO",
    }
    _settlement_demo()
    governance = _governance_demo()
    consultation = _consultation_demo()
    _catalogue_demo()
    call_command("load_demo")
    assert counts() == first
    assert _governance_demo() == governance
    assert _consultation_demo() == consultation
    _settlement_demo()
    _catalogue_demo()


def _settlement_demo():
    """The four municipalities' project cost 398 000 of the 420 000 invoiced: each is credited 5 500 of its share."""
    from funding.models import ActualCost, Settlement

    settlement = Settlement.objects.get()
    assert (settlement.actual, settlement.invoiced, settlement.difference) == (398000, 420000, -22000)
    assert ActualCost.objects.count() == 1
    credits = Invoice.objects.filter(settlement_share__settlement=settlement, kind="credit_note")
    assert sorted(credits.values_list("total", flat=True)) == [5500] * 4
    assert all(credit.credited_invoice.plan_share_id for credit in credits)


def _catalogue_demo():
    """A service ordered, agreed, delivered and invoiced; a one-off whose solution is open to its contributors only."""
    from core import policy
    from funding.models import OneOffModel, PricedService, ServiceOrder

    order = ServiceOrder.objects.get(organisation__number="4634")
    assert order.status == "invoiced" and order.invoices.get().total == 11875  # 12.5 hours at 950
    model = OneOffModel.objects.get()
    assert model.invoices.count() == 4
    solution = PricedService.objects.get(financed_by=model)
    assert policy.organisation_contributed(Organisation.objects.get(number="4634").pk, model.pk)
    assert not policy.organisation_contributed(Organisation.objects.get(number="4621").pk, solution.financed_by_id)


def _governance_demo():
    """The steering group with a held meeting (decided, minutes approved and published) and a coming one."""
    from django.utils import timezone

    from core import policy
    from governance.models import Body, Case, Meeting
    from members.models import AgreementTemplate

    group = Body.objects.get(kind="steering_group")
    held, coming = Meeting.objects.filter(body=group).order_by("starts_at")
    assert held.status == "minutes_approved" and held.minutes_published_at is not None
    assert not held.cases.filter(decision__isnull=True).exists()
    assert coming.status == "notice_sent" and coming.starts_at > timezone.now()
    adopted_model = ContributionModel.objects.get(year=2026, status="adopted")
    assert adopted_model.adopted_in_case.meeting == held
    assert AgreementTemplate.objects.get().adopted_in_case.meeting == held
    member = User.objects.get(username="styremedlem")
    assert policy.can_see_body_papers(member, group.pk)
    assert coming.cases.filter(exempt=True).exists()
    from governance.models import Announcement

    news = sorted(Announcement.objects.values_list("title", "recipients"))
    assert len(news) == 2 and all(recipients > 0 for _title, recipients in news)
    return sorted(Case.objects.values_list("body__name", "year", "number", "title")), news


def _consultation_demo():
    """An open round on the draft 2027 model: every member consulted and shown its amount, one answer given."""
    from governance.consultations import consultation_is_open
    from governance.models import Consultation, ConsultationAnswer

    consultation = Consultation.objects.get(subject_kind="contribution_model")
    assert consultation_is_open(consultation)
    assert consultation.case is not None and ContributionModel.objects.get(pk=consultation.subject_id).year == 2027
    assert consultation.consulted.count() == 40
    masfjorden = consultation.versions.get().amounts.get(organisation__number="4634")
    population = PopulationFigure.objects.get(organisation__number="4634", reference_date="2024-01-01").count
    assert masfjorden.amount == 110000 + 22 * population
    return sorted(ConsultationAnswer.objects.values_list("organisation__name", "revision", "position"))
