"""The funding pages as the secretariat and a finance officer use them."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from funding.models import Contribution, ContributionModel
from funding.services import budget_save, contributions_recompute
from tests.factories import contribution_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(personas):
    contribution_model(year=2026, exempt=[personas.host], name="DigiVestland 2026")
    contributions_recompute(year=2026)
    return personas


def test_finance_officer_sees_own_contributions_with_explanation_and_nobody_elses(norwegian, network):
    client = norwegian
    client.force_login(network.finance)
    response = client.get(reverse("funding:contribution_list"))
    rows = list(response.context["contributions"])
    assert [c.organisation for c in rows] == [network.own]
    text = response.content.decode()
    assert "133\xa0820" in text and "taket på 500\xa0000 er ikke nådd" in text
    assert "Voss" not in text
    foreign = Contribution.objects.get(organisation=network.foreign)
    assert client.get(reverse("funding:contribution_detail", kwargs={"pk": foreign.pk})).status_code == 404


def test_contribution_export_holds_only_own_rows(client, network):
    client.force_login(network.finance)
    response = client.get(reverse("funding:contribution_list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "Masfjorden" and rows[1][6] == "133820.00"
    response = client.get(reverse("funding:contribution_list"), {"_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Masfjorden"]


def test_secretariat_sees_every_contribution_and_the_total(client, network):
    client.force_login(network.secretariat)
    response = client.get(reverse("funding:contribution_list"), {"year": 2026})
    assert response.context["total"] == Decimal(563240)
    assert len(response.context["contributions"]) == 3


def _model_post(model=None, **overrides):
    data = {
        "name": "DigiVestland 2026",
        "year": "2026",
        "base_year": "2026",
        "mode": "formula",
        "population_date": "2024-01-01",
        "equal_share": "0",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-0-kind": "municipality",
        "rules-0-fixed": "100000",
        "rules-0-per_inhabitant": "25",
        "rules-0-cap": "500000",
        "overrides-TOTAL_FORMS": "0",
        "overrides-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_secretariat_adjusts_the_adopted_model_and_contributions_follow(
    client, network, django_capture_on_commit_callbacks
):
    model = ContributionModel.objects.get(status="adopted")
    client.force_login(network.secretariat)
    data = _model_post(
        **{
            "overrides-TOTAL_FORMS": "1",
            "overrides-0-organisation": str(network.host.pk),
            "overrides-0-exempt": "on",
            "overrides-0-in_kind_value": "9100000",
            "overrides-0-description": "Vertskommune",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("funding:model_update", kwargs={"pk": model.pk}), data)
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.version == 2
    masfjorden = Contribution.objects.get(organisation=network.own)
    assert (masfjorden.amount, masfjorden.model_version) == (Decimal(142275), 2)  # 100 000 + 25 × 1 691
    bergen = Contribution.objects.get(organisation=network.host)
    assert "Vertskommune" in bergen.explanation and "9\xa0100\xa0000" in bergen.explanation


def test_the_empty_row_for_a_new_rule_is_ignored_when_left_as_it_is(client, network):
    """The edit page offers one empty rule row; a browser sends it with its defaults, and it must not count."""
    model = ContributionModel.objects.get(status="adopted")
    client.force_login(network.secretariat)
    page = client.get(reverse("funding:model_update", kwargs={"pk": model.pk}))
    empty = page.context["rules"].forms[-1]["kind"]
    assert empty.value() is None and empty.field.choices[0][0] == ""  # so the browser sends no kind for it
    empty_row = {"rules-TOTAL_FORMS": "2", "rules-1-kind": "", "rules-1-fixed": "0", "rules-1-per_inhabitant": "0"}
    response = client.post(reverse("funding:model_update", kwargs={"pk": model.pk}), _model_post(**empty_row))
    assert response.status_code == 302
    assert model.rules.get().per_inhabitant == 25


def test_a_bad_model_is_refused_with_the_field_named_and_nothing_saved(client, network):
    model = ContributionModel.objects.get(status="adopted")
    client.force_login(network.secretariat)
    response = client.post(
        reverse("funding:model_update", kwargs={"pk": model.pk}),
        _model_post(**{"rules-0-per_inhabitant": "-5", "base_year": "2027"}),
    )
    assert response.status_code == 200
    assert "per_inhabitant" in response.context["rules"].forms[0].errors
    model.refresh_from_db()
    assert model.version == 1 and model.rules.get().per_inhabitant == 20


def test_an_exception_must_be_exempt_or_fixed(client, network):
    client.force_login(network.secretariat)
    data = _model_post(
        **{
            "overrides-TOTAL_FORMS": "1",
            "overrides-0-organisation": str(network.host.pk),
            "overrides-0-exempt": "on",
            "overrides-0-fixed_amount": "150000",
        }
    )
    response = client.post(reverse("funding:model_create"), data)
    assert "Choose either exempt or a fixed amount." in str(response.context["overrides"].forms[0].non_field_errors())
    assert ContributionModel.objects.count() == 1


def test_a_share_model_without_target_is_refused(client, network):
    client.force_login(network.secretariat)
    response = client.post(reverse("funding:model_create"), _model_post(mode="share", name="Split"))
    assert "target_total" in response.context["form"].errors
    assert not ContributionModel.objects.filter(name="Split").exists()


def test_copy_adopt_and_compare(client, network, django_capture_on_commit_callbacks):
    adopted = ContributionModel.objects.get(status="adopted")
    client.force_login(network.secretariat)
    response = client.post(reverse("funding:model_copy", kwargs={"pk": adopted.pk}), {"name": "Cap 400", "year": 2026})
    proposal = ContributionModel.objects.get(name="Cap 400")
    assert response.url == proposal.get_absolute_url()
    proposal.rules.update(cap=400000)
    response = client.get(reverse("funding:scenario_compare"), {"models": [adopted.pk, proposal.pk]})
    comparison = response.context["comparison"]
    assert [column.total for column in comparison.columns] == [Decimal(563240), Decimal(533820)]
    voss = next(row for row in comparison.rows if row.name == "Voss")
    assert voss.amounts == [Decimal(429420), Decimal(400000)]
    assert comparison.columns[0].fairness.max_per_inhabitant == Decimal("79.14")
    export = client.get(reverse("funding:scenario_compare"), {"models": [adopted.pk, proposal.pk], "_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["Organisation", "Number", "Inhabitants"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("funding:model_adopt", kwargs={"pk": proposal.pk}),
            {"adopted_on": "2026-11-20", "adopted_by": "Styringsgruppen, sak 41/26"},
        )
    assert Contribution.objects.get(organisation=network.foreign).amount == 400000


def test_compare_needs_two_to_four_models(client, network):
    client.force_login(network.secretariat)
    adopted = ContributionModel.objects.get(status="adopted")
    response = client.get(reverse("funding:scenario_compare"), {"models": [adopted.pk]})
    assert "Choose from 2 to 4 models." in response.content.decode() or "2 til 4" in response.content.decode()
    assert response.context["comparison"] is None


def test_budget_coverage(client, network):
    budget_save(
        year=2026,
        staff_costs=Decimal(1000000),
        project_costs=Decimal(0),
        other_costs=Decimal(0),
        grant_income=Decimal(200000),
        host_in_kind=Decimal(100000),
        other_income=Decimal(0),
        notes="",
    )
    client.force_login(network.finance)
    response = client.get(reverse("funding:budget_detail", kwargs={"year": 2026}))
    assert response.context["covered"] == Decimal(863240)
    assert response.context["gap"] == Decimal(-136760)
    assert response.context["chart"]["labels"]


def test_budget_edit_refuses_negative_costs(client, network):
    client.force_login(network.secretariat)
    response = client.post(
        reverse("funding:budget_edit", kwargs={"year": 2027}),
        {
            "staff_costs": "-1",
            "project_costs": "0",
            "other_costs": "0",
            "grant_income": "0",
            "host_in_kind": "0",
            "other_income": "0",
        },
    )
    assert "staff_costs" in response.context["form"].errors


def test_run_status_reports_progress(client, network, django_capture_on_commit_callbacks):
    client.force_login(network.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("funding:recompute", kwargs={"year": 2026}))
    status = client.get(response.url + "status/").json()
    assert status["status"] == "succeeded" and status["progress"] == 100 and status["finished"] is True


def test_members_see_adopted_models_but_not_proposals(client, network):
    contribution_model(year=2026, status="proposal", name="Secret idea")
    client.force_login(network.contact)
    names = [m.name for m in client.get(reverse("funding:model_list")).context["models"]]
    assert names == ["DigiVestland 2026"]


def test_model_explains_whether_the_cap_is_indexed(client, network, norwegian):
    client.force_login(network.director)
    model = ContributionModel.objects.get(status="adopted")
    from django.utils.translation import gettext, override

    text = client.get(model.get_absolute_url()).content.decode()
    with override("nb"):
        assert gettext("No: the cap stays the same in kroner") in text
        assert gettext("per %(date)s").replace("%(date)s", "01.01.2024") in text or "01.01.2024" in text
    model.cap_indexed = True
    model.save()
    text = client.get(model.get_absolute_url()).content.decode()
    with override("nb"):
        assert gettext("No: the cap stays the same in kroner") not in text


def test_the_contribution_list_shows_a_page_at_a_time_and_the_total_of_them_all(client, network, monkeypatch):
    monkeypatch.setattr("core.paging.PER_PAGE", 2)
    client.force_login(network.secretariat)
    first = client.get(reverse("funding:contribution_list"), {"year": 2026})
    assert len(first.context["contributions"]) == 2 and first.context["page_obj"].paginator.count == 3
    assert first.context["total"] == Decimal(563240)  # all three, not the two shown
    assert "Total of 3 contributions, all pages" in first.content.decode()
    second = client.get(reverse("funding:contribution_list"), {"year": 2026, "page": 2})
    assert len(second.context["contributions"]) == 1 and second.context["total"] == Decimal(563240)
    names = {c.organisation.name for c in [*first.context["contributions"], *second.context["contributions"]]}
    assert len(names) == 3
    assert 'href="?year=2026&amp;page=2"' in first.content.decode()  # the year kept in the link
