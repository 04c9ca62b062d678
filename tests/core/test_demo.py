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
    governance = _governance_demo()
    call_command("load_demo")
    assert counts() == first
    assert _governance_demo() == governance


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
