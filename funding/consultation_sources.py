"""What a consultation round on a draft contribution model or cost-sharing plan sends out: the draft, and what each
member would pay under it (registered with governance in FundingConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from funding.choices import ModelStatus
from funding.models import ContributionModel, SharingPlan
from governance.choices import ConsultationSubject
from governance.consultation_subjects import Draft, MemberAmount, Source, register


def _model_drafts() -> list[tuple[int, str]]:
    models = ContributionModel.objects.filter(status=ModelStatus.PROPOSAL).order_by("-year", "name")
    return [(model.pk, str(model)) for model in models]


def _model_draft(pk: int) -> Draft:
    from funding.scenarios import compare

    try:
        model = ContributionModel.objects.get(pk=pk, status=ModelStatus.PROPOSAL)
    except ContributionModel.DoesNotExist:
        raise LookupError(pk) from None
    comparison = compare([model])
    column = comparison.columns[0]
    amounts = [
        MemberAmount(int(row.organisation_id), row.name, row.amounts[0])
        for row in comparison.rows
        if row.amounts[0] is not None
    ]
    text = _("Contribution model for %(year)d: what each member would pay.") % {"year": model.year}
    return Draft(title=str(model), text=text, amounts=amounts, problem=column.problem)


def _plan_drafts() -> list[tuple[int, str]]:
    plans = SharingPlan.objects.filter(status=ModelStatus.PROPOSAL).select_related("initiative").order_by("-pk")
    return [(plan.pk, str(plan)) for plan in plans]


def _plan_draft(pk: int) -> Draft:
    try:
        plan = SharingPlan.objects.select_related("initiative").get(pk=pk, status=ModelStatus.PROPOSAL)
    except SharingPlan.DoesNotExist:
        raise LookupError(pk) from None
    participants = plan.participants.select_related("organisation").order_by("organisation__name")
    amounts = [MemberAmount(p.organisation_id, p.organisation.name, p.amount) for p in participants]
    return Draft(title=str(plan), text=plan.description, amounts=amounts)


def register_sources() -> None:
    register(Source(ConsultationSubject.CONTRIBUTION_MODEL, _model_drafts, _model_draft))
    register(Source(ConsultationSubject.SHARING_PLAN, _plan_drafts, _plan_draft))
