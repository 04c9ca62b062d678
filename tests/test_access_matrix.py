"""Every URL, for every role, with own and foreign objects: who gets the page, who is sent to log in,
who is refused (403) and for whom the object does not exist (404).

`test_every_url_is_in_the_matrix` walks the URLconf and fails when a view is missing here.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, clear_url_caches, reverse

from tests.conftest import FAST_HASHERS, ROLES, Personas, build_personas, client_for, tasks_in_process

OK, LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, REDIRECT = 200, "login", 403, 404, 405, 302
MEMBER_ROLES = ["director", "finance", "contact", "outsider"]


def everyone(code) -> dict[str, object]:
    return dict.fromkeys(ROLES, code)


def signed_in(code=OK) -> dict[str, object]:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], code)}


def secretariat_only() -> dict[str, object]:
    return {"anonymous": LOGIN, "secretariat": OK, **dict.fromkeys(MEMBER_ROLES, FORBIDDEN)}


def organisation(personas: Personas, which: str) -> dict:
    return {"pk": getattr(personas, which).pk}


def own_and_foreign(own: dict[str, object], foreign: dict[str, object]) -> dict[str | None, dict[str, object]]:
    return {"own": own, "foreign": foreign}


def money(own_org: bool) -> dict[str, object]:
    """Contributions and invoices: the secretariat, and directors and finance officers of the organisation."""
    mine, theirs = (OK, NOT_FOUND) if own_org else (NOT_FOUND, OK)
    return {
        "anonymous": LOGIN,
        "secretariat": OK,
        "director": mine,
        "finance": mine,
        "contact": FORBIDDEN,
        "outsider": theirs,
    }


def contribution(personas: Personas, which: str) -> dict:
    from funding.models import Contribution

    return {"pk": Contribution.objects.get(organisation=getattr(personas, which), year=2026).pk}


def contribution_model(personas: Personas, which: str) -> dict:
    from funding.models import ContributionModel

    return {"pk": ContributionModel.objects.get(year=2026, status=which).pk}


def run(personas: Personas, which: str) -> dict:
    from funding.models import RecomputeRun

    return {"pk": RecomputeRun.objects.get().pk}


@dataclass(frozen=True)
class Case:
    name: str
    expect: dict[str | None, dict[str, object]]
    target: Callable[[Personas, str], dict] | None = None
    kwargs: dict = field(default_factory=dict)
    method: str = "get"


MATRIX: list[Case] = [
    Case("dashboard", {None: everyone(OK)}),
    Case("login", {None: everyone(OK)}),
    Case("logout", {None: everyone(NOT_ALLOWED)}),
    Case("password_change", {None: signed_in()}),
    Case("mail_preferences", {None: signed_in()}),
    Case("password_change_done", {None: signed_in()}),
    Case("password_reset", {None: everyone(OK)}),
    Case("password_reset_done", {None: everyone(OK)}),
    Case("password_reset_confirm", {None: everyone(OK)}, kwargs={"uidb64": "MQ", "token": "bad-token"}),
    Case("password_reset_complete", {None: everyone(OK)}),
    Case("set_language", {None: everyone(REDIRECT)}),
    # The second login step: users who need none (or have passed it) are sent on (tests/network/test_two_factor.py).
    Case("otp_verify", {None: signed_in(REDIRECT)}),
    Case("otp_setup", {None: signed_in(REDIRECT)}),
    # Sign-in through OpenID Connect: absent where no provider is configured, as here (tests/core/test_oidc.py).
    Case("idporten_login", {None: everyone(NOT_FOUND)}),
    Case("idporten_callback", {None: everyone(NOT_FOUND)}),
    Case("staff_login", {None: everyone(NOT_FOUND)}),
    Case("staff_callback", {None: everyone(NOT_FOUND)}),
    # Public statements (accessibility, privacy).
    Case("accessibility_statement", {None: everyone(OK)}),
    Case("privacy", {None: everyone(OK)}),
    Case("verify", {None: everyone(OK)}),
    Case("members:organisation_list", {None: everyone(OK)}),
    Case("members:organisation_create", {None: secretariat_only()}),
    Case("members:population_import", {None: secretariat_only()}),
    Case("members:register_import", {None: secretariat_only()}),
    # Applying a comparison with Enhetsregisteret: without a valid proposal the secretariat is sent back to it.
    Case("members:register_apply", {None: {**secretariat_only(), "secretariat": REDIRECT}}, method="post"),
    Case("members:organisation_detail", {"own": everyone(OK), "foreign": everyone(OK)}, target=organisation),
    Case(
        "members:organisation_update",
        {"own": secretariat_only(), "foreign": secretariat_only()},
        target=organisation,
    ),
    Case(
        "members:organisation_change_number",
        {"own": secretariat_only(), "foreign": secretariat_only()},
        target=organisation,
    ),
    Case(
        "members:population_create",
        {"own": secretariat_only(), "foreign": secretariat_only()},
        target=organisation,
    ),
]


def keepers(own_org: bool, ok=OK) -> dict[str, object]:
    """The organisation's people and invoicing details: the secretariat and the organisation's director (the
    outsider is a director elsewhere); finance officers and contacts are not keepers unless delegated."""
    mine, theirs = (ok, NOT_FOUND) if own_org else (NOT_FOUND, ok)
    return {
        "anonymous": LOGIN,
        "secretariat": ok,
        "director": mine,
        "finance": FORBIDDEN,
        "contact": FORBIDDEN,
        "outsider": theirs,
    }


def person(personas: Personas, which: str) -> dict:
    """A person of the own organisation (the finance officer) or of the foreign one (the outsider)."""
    someone = personas.finance if which == "own" else personas.outsider
    return {"pk": someone.organisation_id, "person_pk": someone.pk}


MATRIX += [
    Case("members:invoicing_update", own_and_foreign(keepers(True), keepers(False)), target=organisation),
    Case("members:person_create", own_and_foreign(keepers(True), keepers(False)), target=organisation),
    Case("members:person_update", own_and_foreign(keepers(True), keepers(False)), target=person),
    Case("members:person_remove", {"own": everyone(NOT_ALLOWED)}, target=person),
    # Nobody removes themselves (the outsider is the foreign organisation's person).
    Case(
        "members:person_remove",
        own_and_foreign(keepers(True, REDIRECT), {**keepers(False, REDIRECT), "outsider": FORBIDDEN}),
        target=person,
        method="post",
    ),
]

MATRIX += [
    Case("funding:model_list", {None: signed_in()}),
    Case("funding:model_create", {None: secretariat_only()}),
    Case(
        "funding:model_detail",
        {"adopted": signed_in(), "proposal": {**secretariat_only(), **dict.fromkeys(MEMBER_ROLES, NOT_FOUND)}},
        target=contribution_model,
    ),
    Case(
        "funding:model_update",
        {"adopted": secretariat_only(), "proposal": secretariat_only()},
        target=contribution_model,
    ),
    Case("funding:model_adopt", {"proposal": secretariat_only()}, target=contribution_model),
    Case("funding:model_copy", {"adopted": everyone(NOT_ALLOWED)}, target=contribution_model),
    Case(
        "funding:model_copy",
        {"adopted": {**secretariat_only(), "secretariat": REDIRECT}},
        target=contribution_model,
        method="post",
    ),
    Case("funding:deflator_set", {None: secretariat_only()}),
    Case("funding:recompute", {None: everyone(NOT_ALLOWED)}, kwargs={"year": 2026}),
    Case(
        "funding:recompute",
        {None: {**secretariat_only(), "secretariat": REDIRECT}},
        kwargs={"year": 2026},
        method="post",
    ),
    Case("funding:run_detail", {"any": secretariat_only()}, target=run),
    Case("funding:run_status", {"any": secretariat_only()}, target=run),
    Case("funding:scenario_compare", {None: secretariat_only()}),
    Case(
        "funding:contribution_list",
        {
            None: {
                "anonymous": LOGIN,
                "secretariat": OK,
                "director": OK,
                "finance": OK,
                "contact": FORBIDDEN,
                "outsider": OK,
            }
        },
    ),
    Case("funding:contribution_detail", own_and_foreign(money(True), money(False)), target=contribution),
    Case("funding:budget_list", {None: signed_in()}),
    Case("funding:budget_detail", {None: signed_in()}, kwargs={"year": 2026}),
    Case("funding:budget_edit", {None: secretariat_only()}, kwargs={"year": 2026}),
]


def invoice(personas: Personas, which: str) -> dict:
    from funding.models import Invoice

    return {
        "pk": Invoice.objects.get(organisation=getattr(personas, which), kind="invoice", contribution__isnull=False).pk
    }


def invoice_run(personas: Personas, which: str) -> dict:
    from funding.models import InvoiceRun

    return {"pk": InvoiceRun.objects.get().pk}


def secretariat_post() -> dict[str, object]:
    return {**secretariat_only(), "secretariat": REDIRECT}


MATRIX += [
    Case(
        "funding:invoice_list",
        {
            None: {
                "anonymous": LOGIN,
                "secretariat": OK,
                "director": OK,
                "finance": OK,
                "contact": FORBIDDEN,
                "outsider": OK,
            }
        },
    ),
    Case("funding:invoice_detail", own_and_foreign(money(True), money(False)), target=invoice),
    Case("funding:invoice_pdf", own_and_foreign(money(True), money(False)), target=invoice),
    Case("funding:invoice_ehf", own_and_foreign(money(True), money(False)), target=invoice),
    Case("funding:invoice_run", {None: secretariat_only()}, kwargs={"year": 2026}),
    Case("funding:invoice_run_detail", {"any": secretariat_only()}, target=invoice_run),
    Case("funding:invoice_run_status", {"any": secretariat_only()}, target=invoice_run),
    Case("funding:bank_import", {None: secretariat_only()}),
    Case("funding:journal", {None: secretariat_only()}),
]


def failed_delivery(personas: Personas, which: str) -> dict:
    """A Peppol delivery of the organisation's invoice that gave up, so it can be tried again."""
    from funding.models import Invoice, InvoiceDelivery

    invoice = Invoice.objects.get(organisation=getattr(personas, which), kind="invoice", contribution__isnull=False)
    delivery, _created = InvoiceDelivery.objects.get_or_create(
        invoice=invoice, defaults={"receiver": "0192:964338531", "file_name": f"invoice-{invoice.pk}.xml"}
    )
    InvoiceDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    return {"pk": delivery.pk}


# The Peppol outbox is the secretariat's; reading responses and trying again are POSTs.
MATRIX += [
    Case("funding:delivery_list", {None: secretariat_only()}),
    Case("funding:delivery_retry", {"own": everyone(NOT_ALLOWED)}, target=failed_delivery),
    Case(
        "funding:delivery_retry",
        {"own": secretariat_post(), "foreign": secretariat_post()},
        target=failed_delivery,
        method="post",
    ),
    Case("funding:responses_collect", {None: everyone(NOT_ALLOWED)}),
    Case("funding:responses_collect", {None: secretariat_post()}, method="post"),
]


def sharing_plan(personas: Personas, which: str) -> dict:
    from funding.models import SharingPlan

    return {"pk": SharingPlan.objects.get(purpose=f"Plan {which}").pk}


def participants(own_org: bool) -> dict[str, object]:
    """A cost-sharing plan: the secretariat, and everyone of a participating organisation."""
    mine, theirs = (OK, NOT_FOUND) if own_org else (NOT_FOUND, OK)
    return {
        "anonymous": LOGIN,
        "secretariat": OK,
        "director": mine,
        "finance": mine,
        "contact": mine,
        "outsider": theirs,
    }


MATRIX += [
    Case("funding:plan_list", {None: signed_in()}),
    Case("funding:plan_create", {None: secretariat_only()}),
    Case(
        "funding:plan_detail",
        {
            "own": participants(True),
            "foreign": participants(False),
            "proposal": {**secretariat_only(), **dict.fromkeys(MEMBER_ROLES, NOT_FOUND)},
        },
        target=sharing_plan,
    ),
    Case("funding:plan_update", {"proposal": secretariat_only()}, target=sharing_plan),
    Case("funding:plan_adopt", {"proposal": secretariat_only()}, target=sharing_plan),
    Case("funding:plan_invoice", {"own": secretariat_only()}, target=sharing_plan),
    Case("funding:plan_actuals", {"own": secretariat_only(), "foreign": secretariat_only()}, target=sharing_plan),
    Case("funding:plan_settle", {"own": secretariat_only()}, target=sharing_plan),
    Case("funding:actual_costs_import", {None: secretariat_only()}),
    Case("funding:plan_new_version", {"own": everyone(NOT_ALLOWED)}, target=sharing_plan),
    Case("funding:plan_new_version", {"own": secretariat_post()}, target=sharing_plan, method="post"),
]


def grant(personas: Personas, which: str) -> dict:
    from portfolio.models import Grant

    return {"pk": Grant.objects.get(title=f"Grant {which}").pk}


# Grants for projects are the secretariat's: applications, the grantor's decision and the report.
MATRIX += [
    Case("portfolio:grant_list", {None: secretariat_only()}),
    Case("portfolio:grant_create", {None: secretariat_only()}),
    Case("portfolio:grant_detail", {"draft": secretariat_only(), "awarded": secretariat_only()}, target=grant),
    Case("portfolio:grant_update", {"draft": secretariat_only()}, target=grant),
    Case("portfolio:grant_submit", {"draft": secretariat_only()}, target=grant),
    Case("portfolio:grant_award", {"awarded": secretariat_only()}, target=grant),
    Case("portfolio:grant_report", {"awarded": secretariat_only()}, target=grant),
    Case("portfolio:grant_report_submit", {"awarded": everyone(NOT_ALLOWED)}, target=grant),
    Case("portfolio:grant_report_submit", {"awarded": secretariat_post()}, target=grant, method="post"),
    Case("portfolio:grant_report_pdf", {"awarded": secretariat_only()}, target=grant),
    Case("portfolio:grant_report_csv", {"awarded": secretariat_only()}, target=grant),
]


def priced_service(personas: Personas, which: str) -> dict:
    """An ordinary service ("plain"), or the solution a one-off finances ("solution")."""
    from funding.models import PricedService

    return {"pk": PricedService.objects.get(title=f"Service {which}").pk}


def service_order(personas: Personas, which: str) -> dict:
    from funding.models import ServiceOrder

    return {"pk": ServiceOrder.objects.get(organisation=getattr(personas, which)).pk}


def one_off_model(personas: Personas, which: str) -> dict:
    """A one-off model the own organisation has paid the connection fee of ("used"), or one not invoiced ("fresh")."""
    from funding.models import OneOffModel

    return {"pk": OneOffModel.objects.get(name=f"One-off {which}").pk}


def members_act(holders: set[str], code: object) -> dict[str, object]:
    """An act of the organisation itself (not the secretariat's): `code` for the roles that hold it, 403 otherwise."""
    return {
        "anonymous": LOGIN,
        "secretariat": FORBIDDEN,
        **{role: (code if role in holders else FORBIDDEN) for role in MEMBER_ROLES},
    }


MATRIX += [
    Case("funding:service_list", {None: signed_in()}),
    Case("funding:service_create", {None: secretariat_only()}),
    Case("funding:service_detail", {"plain": signed_in(), "solution": signed_in()}, target=priced_service),
    Case("funding:service_update", {"plain": secretariat_only()}, target=priced_service),
    # Every member's people order for their own organisation; the secretariat does not order.
    Case(
        "funding:order_create",
        {"plain": members_act({"director", "finance", "contact", "outsider"}, OK)},
        target=priced_service,
    ),
    Case("funding:service_take_into_use", {"solution": everyone(NOT_ALLOWED)}, target=priced_service),
    # The own organisation contributed (it is told so); the foreign one pays the connection fee: both are sent back.
    Case(
        "funding:service_take_into_use",
        {"solution": members_act({"director", "finance", "outsider"}, REDIRECT)},
        target=priced_service,
        method="post",
    ),
    Case("funding:order_list", {None: signed_in()}),
    Case("funding:order_detail", {"own": participants(True), "foreign": participants(False)}, target=service_order),
    Case("funding:order_agree", {"own": everyone(NOT_ALLOWED)}, target=service_order),
    Case(
        "funding:order_agree",
        {
            "own": {**members_act({"director", "finance"}, REDIRECT), "outsider": NOT_FOUND},
            "foreign": {**members_act({"outsider"}, REDIRECT), "director": NOT_FOUND, "finance": NOT_FOUND},
        },
        target=service_order,
        method="post",
    ),
    Case("funding:order_cancel", {"own": everyone(NOT_ALLOWED)}, target=service_order),
    Case("funding:order_cancel", {"own": secretariat_post()}, target=service_order, method="post"),
    Case("funding:order_deliver", {"own": secretariat_only()}, target=service_order),
    Case("funding:order_invoice", {"own": secretariat_only()}, target=service_order),
    Case("funding:one_off_list", {None: signed_in()}),
    Case("funding:one_off_create", {None: secretariat_only()}),
    Case("funding:one_off_detail", {"used": signed_in(), "fresh": signed_in()}, target=one_off_model),
    Case("funding:one_off_update", {"fresh": secretariat_only()}, target=one_off_model),
    Case("funding:one_off_invoice", {"used": secretariat_only()}, target=one_off_model),
]
for _name in ("funding:invoice_payment", "funding:invoice_remind", "funding:invoice_credit", "funding:invoice_send"):
    MATRIX += [
        Case(_name, {"own": everyone(NOT_ALLOWED)}, target=invoice),
        Case(_name, {"own": secretariat_post(), "foreign": secretariat_post()}, target=invoice, method="post"),
    ]


def agreement(personas: Personas, which: str) -> dict:
    """The organisation's open agreement, not yet signed."""
    from members.models import Agreement

    return {"pk": Agreement.objects.get(organisation=getattr(personas, which), sealed="").pk}


def sealed_agreement(personas: Personas, which: str) -> dict:
    """The organisation's agreement in force, with its sealed PDF."""
    from members.models import Agreement

    return {"pk": Agreement.objects.exclude(sealed="").get(organisation=getattr(personas, which)).pk}


def agreement_draft(personas: Personas, which: str) -> dict:
    """An agreement text not yet published."""
    from members.models import AgreementTemplate

    return {"pk": AgreementTemplate.objects.get(title="Utkast").pk}


def directors_only(own_org: bool) -> dict[str, object]:
    """Agreements: the secretariat, and the organisation's own director (the outsider is a director elsewhere).
    Anyone else signed in is told the agreement does not exist (404), not that it is forbidden."""
    mine, theirs = (OK, NOT_FOUND) if own_org else (NOT_FOUND, OK)
    return {
        "anonymous": LOGIN,
        "secretariat": OK,
        "director": mine,
        "finance": NOT_FOUND,
        "contact": NOT_FOUND,
        "outsider": theirs,
    }


def directors_post(own_org: bool) -> dict[str, object]:
    return {role: (REDIRECT if code == OK else code) for role, code in directors_only(own_org).items()}


MATRIX += [
    Case(
        "members:organisation_withdraw", {"own": secretariat_only(), "foreign": secretariat_only()}, target=organisation
    ),
    Case(
        "members:agreement_list",
        {
            None: {
                "anonymous": LOGIN,
                "secretariat": OK,
                "director": OK,
                "finance": FORBIDDEN,
                "contact": FORBIDDEN,
                "outsider": OK,
            }
        },
    ),
    Case("members:agreement_template_create", {None: secretariat_only()}),
    Case("members:agreement_template_publish", {"draft": everyone(NOT_ALLOWED)}, target=agreement_draft),
    # Publishing is for the secretariat alone: the POST is what the permission guards.
    Case("members:agreement_template_publish", {"draft": secretariat_post()}, target=agreement_draft, method="post"),
    Case("members:agreement_invite", {None: secretariat_only()}),
    Case("members:agreement_link", {None: everyone(410)}, kwargs={"token": "not-a-real-token"}),
    Case("members:agreement_detail", own_and_foreign(directors_only(True), directors_only(False)), target=agreement),
    Case("members:agreement_document", own_and_foreign(directors_only(True), directors_only(False)), target=agreement),
    # An agreement not yet sealed has no sealed document to give anyone (403); a sealed one goes to the
    # secretariat and the organisation's director.
    Case(
        # Not sealed yet: there is nothing to download.
        "members:agreement_sealed",
        own_and_foreign(
            {**directors_only(True), "secretariat": NOT_FOUND, "director": NOT_FOUND},
            {**directors_only(False), "secretariat": NOT_FOUND, "outsider": NOT_FOUND},
        ),
        target=agreement,
    ),
    Case(
        "members:agreement_sealed",
        own_and_foreign(directors_only(True), directors_only(False)),
        target=sealed_agreement,
    ),
    Case("members:agreement_sign_start", {"own": everyone(NOT_ALLOWED)}, target=agreement),
    Case(
        "members:agreement_sign_start",
        # An empty form comes back with its errors beside the fields to whoever may sign.
        own_and_foreign({**directors_post(True), "director": OK}, {**directors_post(False), "outsider": OK}),
        target=agreement,
        method="post",
    ),
    Case("members:agreement_sign_confirm", {"own": everyone(NOT_ALLOWED)}, target=agreement),
    Case(
        "members:agreement_sign_confirm",
        own_and_foreign(directors_post(True), directors_post(False)),
        target=agreement,
        method="post",
    ),
    Case("members:agreement_decline", {"own": everyone(NOT_ALLOWED)}, target=agreement),
    # Back from the ID-porten step-up: nothing without ID-porten (tests/members/test_idporten_signing.py).
    Case("members:agreement_identified", {None: signed_in(NOT_FOUND)}),
    Case(
        "members:agreement_decline",
        own_and_foreign(
            {**directors_post(True), "secretariat": FORBIDDEN, "finance": FORBIDDEN, "contact": FORBIDDEN},
            {**directors_post(False), "secretariat": FORBIDDEN, "finance": FORBIDDEN, "contact": FORBIDDEN},
        ),
        target=agreement,
        method="post",
    ),
]

# Operations
MATRIX += [Case("health", {None: everyone(OK)})]
# Mails written to files: only with DEBUG on (tests/core/test_dev_mail.py); without it, for nobody.
MATRIX += [
    Case("dev_mail_list", {None: everyone(NOT_FOUND)}),
    Case("dev_mail_detail", {None: everyone(NOT_FOUND)}, kwargs={"name": "20261202-050000-1.log"}),
]


# Portfolio: the overview, initiative pages and the service catalogue are open; rollouts for signed-in users;
# a member's adoption status is changed by the secretariat and the member's own people.


def portfolio_initiative(personas: Personas, which: str) -> dict:
    from portfolio.models import Initiative

    return {"pk": Initiative.objects.get(title="Åpent tiltak").pk}


def portfolio_report(personas: Personas, which: str) -> dict:
    from portfolio.models import StatusReport

    return {"pk": StatusReport.objects.get().pk}


def portfolio_adoption(personas: Personas, which: str) -> dict:
    from portfolio.models import NationalSolution

    return {"solution": NationalSolution.objects.get().pk, "organisation": getattr(personas, which).pk}


def own_people(own_org: bool) -> dict[str, object]:
    mine, theirs = (OK, NOT_FOUND) if own_org else (NOT_FOUND, OK)
    return {
        "anonymous": LOGIN,
        "secretariat": OK,
        "director": mine,
        "finance": mine,
        "contact": mine,
        "outsider": theirs,
    }


MATRIX += [
    Case("portfolio:initiative_list", {None: everyone(OK)}),
    Case("portfolio:initiative_create", {None: secretariat_only()}),
    Case("portfolio:initiative_detail", {"any": everyone(OK)}, target=portfolio_initiative),
    Case("portfolio:status_report_pdf", {"any": signed_in()}, target=portfolio_report),
    Case("portfolio:rollout_matrix", {None: signed_in()}),
    Case("portfolio:rollout_dashboard", {None: signed_in()}),
    Case("portfolio:adoption_update", own_and_foreign(own_people(True), own_people(False)), target=portfolio_adoption),
    Case("portfolio:offering_list", {None: everyone(OK)}),
]


def suggestion(personas: Personas, which: str) -> dict:
    """An idea put forward by the own organisation's contact, not yet assessed."""
    from portfolio.models import Suggestion

    return {"pk": Suggestion.objects.get().pk}


def member_people(code=OK) -> dict[str, object]:
    """Any signed-in person of an organisation (every persona but the secretariat's is one; so is the secretariat)."""
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], code)}


MATRIX += [
    Case("portfolio:suggestion_list", {None: everyone(OK)}),
    Case("portfolio:suggestion_detail", {"any": everyone(OK)}, target=suggestion),
    Case("portfolio:suggestion_create", {None: member_people()}),
    Case("portfolio:suggestion_support", {"any": everyone(NOT_ALLOWED)}, target=suggestion),
    # Joining is for another organisation's people; the own organisation's are told it is theirs (and sent back).
    Case("portfolio:suggestion_support", {"any": member_people(REDIRECT)}, target=suggestion, method="post"),
    Case("portfolio:suggestion_triage", {"any": secretariat_only()}, target=suggestion),
]
for _name in (
    "portfolio:initiative_update",
    "portfolio:initiative_transition",
    "portfolio:funding_line_create",
    "portfolio:benefit_create",
):
    MATRIX.append(Case(_name, {"any": secretariat_only()}, target=portfolio_initiative))
# The initiative's own people report: the contact of the owner organisation (the own one); the director and the
# finance officer hold no reporting role, the outsider's organisation takes no part.
for _name in ("portfolio:status_report_create", "portfolio:benefit_value_create"):
    MATRIX.append(Case(_name, {"any": {**secretariat_only(), "contact": OK}}, target=portfolio_initiative))


# Governance: the own director holds a seat in the steering group; the others do not.
def meeting(personas: Personas, which: str) -> dict:
    from governance.models import Meeting

    return {"pk": Meeting.objects.get().pk}


def governance_case(personas: Personas, which: str) -> dict:
    from governance.models import Case

    return {"pk": Case.objects.get(exempt=which == "exempt").pk}


def attachment(personas: Personas, which: str) -> dict:
    from governance.models import CaseAttachment

    return {"pk": CaseAttachment.objects.get(case__exempt=which == "exempt").pk}


def body(personas: Personas, which: str) -> dict:
    from governance.models import Body

    return {"pk": Body.objects.get().pk}


def document_run(personas: Personas, which: str) -> dict:
    from governance.models import MeetingDocumentRun

    return {"pk": MeetingDocumentRun.objects.filter(kind="board_pack").first().pk}


def body_members() -> dict[str, object]:
    """Non-public papers: the secretariat and the body's members (the own director); others do not see them."""
    return {**dict.fromkeys(ROLES, NOT_FOUND), "secretariat": OK, "director": OK}


MATRIX += [
    Case("governance:body_list", {None: everyone(OK)}),
    Case("governance:decision_matrix", {None: everyone(OK)}),
    Case("governance:body_detail", {"any": everyone(OK)}, target=body),
    Case("governance:meeting_list", {None: everyone(OK)}),
    Case("governance:meeting_detail", {"any": everyone(OK)}, target=meeting),
    Case("governance:case_list", {None: everyone(OK)}),
    Case("governance:case_detail", {"public": everyone(OK), "exempt": body_members()}, target=governance_case),
    Case("governance:attachment_download", {"public": everyone(OK), "exempt": body_members()}, target=attachment),
    Case("governance:minutes_pdf", {"any": everyone(OK)}, target=meeting),
    Case("governance:board_pack_pdf", {"any": {**body_members(), "anonymous": LOGIN}}, target=meeting),
    Case("governance:meeting_create", {None: secretariat_only()}),
    Case("governance:case_create", {None: secretariat_only()}),
    Case("governance:meeting_update", {"any": secretariat_only()}, target=meeting),
    Case("governance:meeting_attendance", {"any": secretariat_only()}, target=meeting),
    Case("governance:minutes_edit", {"any": secretariat_only()}, target=meeting),
    Case("governance:case_update", {"public": secretariat_only()}, target=governance_case),
    Case("governance:attachment_add", {"public": secretariat_only()}, target=governance_case),
    Case("governance:attachment_remove", {"public": everyone(NOT_ALLOWED)}, target=attachment),
    Case(
        "governance:attachment_remove",
        {"public": secretariat_post(), "exempt": secretariat_post()},
        target=attachment,
        method="post",
    ),
    Case("governance:decision_record", {"public": secretariat_only()}, target=governance_case),
    # The matrix's case is the steering group's, where no roll call is held (404 even for the secretariat); the page
    # for a council's case is tried in tests/governance/test_roll_call.py.
    Case(
        "governance:decision_roll_call",
        {"public": {**secretariat_only(), "secretariat": NOT_FOUND}},
        target=governance_case,
    ),
    # The news page keeps messages that may speak of internal matters: signed-in people only; the secretariat writes.
    Case("governance:news", {None: signed_in()}),
    Case("governance:announcement_create", {None: secretariat_only()}),
    Case("governance:document_run_detail", {"any": secretariat_only()}, target=document_run),
    Case("governance:document_run_status", {"any": secretariat_only()}, target=document_run),
]
for _name in ("governance:meeting_notice", "governance:minutes_approve", "governance:minutes_publish"):
    MATRIX += [
        Case(_name, {"any": everyone(NOT_ALLOWED)}, target=meeting),
        Case(_name, {"any": secretariat_post()}, target=meeting, method="post"),
    ]
MATRIX += [
    Case("governance:document_render", {"any": everyone(NOT_ALLOWED)}, kwargs={"kind": "minutes"}, target=meeting),
    Case(
        "governance:document_render",
        {"any": secretariat_post()},
        kwargs={"kind": "minutes"},
        target=meeting,
        method="post",
    ),
]


# Consultation rounds: everyone signed in follows them; the director (or delegate) of a consulted organisation answers
# for it (the own director and the outsider, who directs the foreign one); others are told there is no such page.
# An answer is read by its own organisation and the secretariat until the deadline (the round in this world is open).
def consultation(personas: Personas, which: str) -> dict:
    from governance.models import Consultation

    return {"pk": Consultation.objects.get(closed_at__isnull=which == "open").pk}


def consultation_version(personas: Personas, which: str) -> dict:
    from governance.models import ConsultationVersion

    return {"pk": ConsultationVersion.objects.get(consultation__closed_at__isnull=True).pk}


def consultation_answer(personas: Personas, which: str) -> dict:
    from governance.models import ConsultationAnswer

    return {"pk": ConsultationAnswer.objects.get(organisation=personas.own).pk}


ANSWERERS = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "director": OK, "outsider": OK}
MATRIX += [
    Case("governance:consultation_list", {None: signed_in()}),
    Case("governance:consultation_create", {None: secretariat_only()}),
    Case("governance:consultation_detail", {"open": signed_in(), "closed": signed_in()}, target=consultation),
    Case("governance:consultation_answer", {"open": ANSWERERS}, target=consultation),
    Case("governance:consultation_version_add", {"open": secretariat_only()}, target=consultation),
    Case("governance:consultation_close", {"open": everyone(NOT_ALLOWED)}, target=consultation),
    # Before the deadline the secretariat is sent back to the round with the refusal.
    Case("governance:consultation_close", {"open": secretariat_post()}, target=consultation, method="post"),
    Case(
        "governance:consultation_summary_pdf",
        {"closed": signed_in(), "open": signed_in(NOT_FOUND)},
        target=consultation,
    ),
    Case("governance:consultation_version_pdf", {"open": signed_in()}, target=consultation_version),
    Case(
        "governance:consultation_answer_pdf",
        {"own": {**signed_in(), "outsider": NOT_FOUND}},
        target=consultation_answer,
    ),
]

# The network's year: the annual cycle is the secretariat's; everyone signed in has an own calendar address and reads
# the actual figures and the annual report; the public meeting calendar is open and a private one needs its token.
MATRIX += [
    Case("annual:cycle", {None: secretariat_only()}),
    Case("annual:cycle_year", {None: secretariat_only()}, kwargs={"year": 2026}),
    Case("annual:calendar", {None: signed_in()}),
    Case("annual:public_feed", {None: everyone(OK)}),
    Case("annual:private_feed", {None: everyone(NOT_FOUND)}, kwargs={"token": "not-a-real-token"}),
    Case("annual:actuals", {None: signed_in()}, kwargs={"year": 2026}),
    Case("annual:actuals_import", {None: secretariat_only()}),
    Case("annual:report_detail", {None: signed_in()}, kwargs={"year": 2026}),
    Case("annual:report_pdf", {None: signed_in(NOT_FOUND)}, kwargs={"year": 2026}),
]
for _name in ("annual:report_render", "annual:report_submit"):
    MATRIX += [
        Case(_name, {None: everyone(NOT_ALLOWED)}, kwargs={"year": 2026}),
        # No report is written for 2026 in this world: the secretariat is told so (404).
        Case(_name, {None: {**secretariat_only(), "secretariat": NOT_FOUND}}, kwargs={"year": 2026}, method="post"),
    ]


@pytest.fixture
def world(personas):
    """Objects of every kind, for the own and the foreign organisation."""
    return build_world(personas)


@pytest.fixture(scope="class")
def world_once(django_db_setup, django_db_blocker):
    """The same world, built once for a class of tests that only read it: it lives in a transaction that is rolled
    back after the class, and each test runs in a savepoint inside it (pytest-django's `db`), so what a test
    writes is gone before the next one. Only for tests in `db`; a transactional test commits and needs `world`."""
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS), tasks_in_process():
            built = build_world(build_personas())
        yield built
        transaction.set_rollback(True)


def build_world(personas: Personas) -> Personas:
    from decimal import Decimal

    from django.test import TestCase

    from funding.models import InvoiceRun
    from funding.services import budget_save, contributions_recompute, invoice_run_execute, recompute_start
    from tests.factories import contribution_model as make_model
    from tests.factories import network_profile

    make_model(year=2026, exempt=[personas.host])
    make_model(year=2026, status="proposal", name="Proposal")
    contributions_recompute(year=2026)
    budget_save(year=2026, staff_costs=Decimal(1000000))
    network_profile(personas.host)
    with TestCase.captureOnCommitCallbacks(execute=True):
        recompute_start(year=2026)
    # Documents are rendered on first download here, not by the run's on-commit job (faster).
    run = InvoiceRun.objects.create(year=2026, issue_date="2026-11-23", due_date="2026-12-23")
    invoice_run_execute(run_id=run.pk)
    _agreements(personas)
    _portfolio(personas)
    _governance(personas)
    _sharing_plans(personas)
    _grants(personas)
    _consultations(personas)
    _catalogue(personas)
    return personas


def _grants(personas):
    """A draft application and an awarded grant for a project with own effort in its funding plan."""
    import datetime
    from decimal import Decimal

    from portfolio import grants, services
    from tests.factories import initiative

    grantor = grants.grantor_get_or_create(name="Statsforvalteren", source="county_governor")
    project = initiative(owner=personas.own, title="Tiltak med skjønnsmidler")
    services.funding_line_add(
        initiative=project, values={"year": 2026, "source": "own_effort", "budget": Decimal(500000)}
    )
    for which in ("draft", "awarded"):
        grant = grants.grant_save(
            values={"grantor": grantor, "year": 2026, "title": f"Grant {which}"},
            items=[grants.ItemInput(initiative=project, applied=Decimal(200000))],
        )
    grant = grants.grant_submit(grant=grant, applied_on=datetime.date(2026, 1, 15))
    grants.grant_award(
        grant=grant,
        decided_on=datetime.date(2026, 2, 1),
        awarded={item.pk: item.applied for item in grant.items.all()},
        report_due=datetime.date(2027, 3, 1),
    )


def _catalogue(personas):
    """An ordinary service with an order from the own and the foreign organisation, and a solution a one-off
    finances that the own organisation has paid the connection fee of."""
    import datetime
    from decimal import Decimal

    from funding.services.catalogue import (
        one_off_model_save,
        priced_service_save,
        service_order_place,
        solution_take_into_use,
    )

    models = {
        which: one_off_model_save(
            name=f"One-off {which}",
            purpose="Felles løsninger",
            population_date=datetime.date(2026, 1, 1),
            per_inhabitant_municipality=Decimal(20),
            per_inhabitant_county=Decimal(5),
            connection_fee=Decimal(10000),
            decided_by="Styret, sak 2/26",
        )
        for which in ("used", "fresh")
    }
    plain = priced_service_save(title="Service plain", description="Rådgivning", unit="hour", unit_price=Decimal(900))
    solution = priced_service_save(
        title="Service solution", description="Løsning", unit="unit", unit_price=Decimal(0), financed_by=models["used"]
    )
    solution_take_into_use(service=solution, organisation=personas.own, today=datetime.date(2026, 11, 30))
    for organisation in (personas.own, personas.foreign):
        service_order_place(service=plain, organisation=organisation, quantity=Decimal(5), ordered_by=None)


def _sharing_plans(personas):
    """Adopted plans the own and the foreign organisation take part in, and a proposal."""
    import datetime
    from decimal import Decimal

    from funding.services.sharing import ParticipantInput, sharing_plan_adopt, sharing_plan_save

    for which, organisation in (("own", personas.own), ("foreign", personas.foreign), ("proposal", personas.own)):
        plan = sharing_plan_save(
            purpose=f"Plan {which}",
            recurrence="once",
            first_year=2026,
            amount=Decimal(100000),
            key="equal",
            participants=[ParticipantInput(organisation=organisation)],
        )
        if which != "proposal":
            sharing_plan_adopt(plan=plan, adopted_on=datetime.date(2026, 2, 1), adopted_by="Styringsgruppen, sak 1/26")


def _portfolio(personas):
    """An initiative with a status report (a small stand-in PDF) and a national solution."""
    import hashlib

    from django.core.files.base import ContentFile

    from portfolio.models import NationalSolution, StatusReport
    from tests.factories import initiative

    project = initiative(owner=personas.own, title="Åpent tiltak")
    report = StatusReport(initiative=project, period_start="2026-01-01", period_end="2026-06-30", rag="green")
    content = b"%PDF-1.7 stand-in"
    report.pdf.save("status.pdf", ContentFile(content), save=False)
    report.pdf_sha256 = hashlib.sha256(content).hexdigest()
    report.save()
    NationalSolution.objects.create(name="Digisos")
    from portfolio.models import Suggestion

    Suggestion.objects.create(
        organisation=personas.own, submitted_by=personas.contact, title="Idé", problem="p", who_meets_it="w", gain="g"
    )


def _agreements(personas):
    """An open invitation and an agreement in force, sealed, for the own and the foreign organisation, and a text
    not yet published (documents are small stand-in files)."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from members.choices import AgreementStatus
    from members.models import Agreement, AgreementTemplate

    template = AgreementTemplate.objects.create(title="Avtale", period_start=datetime.date(2025, 1, 1), body="§ 1")
    earlier = AgreementTemplate.objects.create(
        title="Avtale 2021", period_start=datetime.date(2021, 1, 1), body="§ 1", published_at=timezone.now()
    )
    AgreementTemplate.objects.create(title="Utkast", period_start=datetime.date(2029, 1, 1), body="§ 1")
    for organisation in (personas.own, personas.foreign):
        agreement = Agreement(
            template=template, organisation=organisation, document_sha256="0" * 64, expires_on=datetime.date(2030, 1, 1)
        )
        agreement.document.save(f"a-{organisation.pk}.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
        agreement.save()
        in_force = Agreement(
            template=earlier,
            organisation=organisation,
            status=AgreementStatus.IN_FORCE,
            document_sha256="0" * 64,
            sealed_sha256="1" * 64,
            expires_on=datetime.date(2021, 3, 1),
            completed_at=timezone.now(),
        )
        in_force.document.save(f"b-{organisation.pk}.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
        in_force.sealed.save(f"b-{organisation.pk}-sealed.pdf", ContentFile(b"%PDF-1.7 sealed"), save=False)
        in_force.save()


def _governance(personas):
    from tests.governance.world import held_meeting, stored_documents

    stored_documents(held_meeting(personas).meeting)


def _consultations(personas):
    """An open round on a strategy (a real small PDF) answered by the own organisation with an attachment, and a
    closed one whose summary is a stand-in file."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from core.documents import sha256_of
    from governance import consultations
    from governance.models import Consultation
    from tests.governance.world import tiny_pdf

    open_round = consultations.consultation_open(
        title="Strategi 2027-2030", subject_kind="strategy", deadline=datetime.date(2099, 1, 1), upload=tiny_pdf()
    )
    consultations.consultation_answer(
        consultation=open_round,
        organisation=personas.own,
        position="remarks",
        comment="Merknad",
        upload=tiny_pdf(),
        answered_by=personas.director,
    )
    closed = Consultation(
        title="Avtaleutkast", subject_kind="agreement", deadline=datetime.date(2025, 1, 1), closed_at=timezone.now()
    )
    summary = b"%PDF-1.7 stand-in"
    closed.summary.save("summary.pdf", ContentFile(summary), save=False)
    closed.summary_sha256 = sha256_of(summary)
    closed.save()
    closed.consulted.set([personas.own, personas.foreign, personas.host])


# Served by Django's admin, which asks the policy through PortalAdminSite (tested below).
WALK_EXEMPT_NAMESPACES = {"admin"}


def _params():
    for case in MATRIX:
        for which, expectations in case.expect.items():
            for role in ROLES:
                label = f"{case.name}-{case.method}-{which or 'page'}-{role}"
                yield pytest.param(case, which, role, expectations[role], id=label)


class TestEveryCase:
    """Every case of the matrix, against one world (built once for the class)."""

    @pytest.mark.django_db
    @pytest.mark.parametrize(("case", "which", "role", "expected"), list(_params()))
    def test_access(self, client, world_once, case, which, role, expected):
        kwargs = dict(case.kwargs)
        if case.target is not None:
            kwargs.update(case.target(world_once, which))
        url = reverse(case.name, kwargs=kwargs or None)
        response = getattr(client_for(client, world_once, role), case.method)(url)
        if expected == LOGIN:
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))
        else:
            assert response.status_code == expected, f"{url} as {role}: {response.status_code}"


def _walk(patterns, namespace=None, prefix=""):
    """Every route's name, and for a route without a name a label that no matrix case matches."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _walk(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
        else:
            unnamed = f"unnamed route {route!r}"
            yield f"{namespace}:{unnamed}" if namespace else unnamed


@contextlib.contextmanager
def _urlconf(settings, *, debug: bool):
    """The project's URLconf as it is built with DEBUG on or off (routes may be added for DEBUG only)."""
    import network.urls

    settings.DEBUG = debug
    clear_url_caches()
    importlib.reload(network.urls)
    try:
        yield network.urls
    finally:
        settings.DEBUG = False
        importlib.reload(network.urls)
        clear_url_caches()


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_every_url_is_in_the_matrix(settings, debug):
    with _urlconf(settings, debug=debug) as urlconf:
        walked = set(_walk(urlconf.urlpatterns))
    names = {name for name in walked if name.split(":")[0] not in WALK_EXEMPT_NAMESPACES}
    covered = {case.name for case in MATRIX}
    assert names - covered == set(), "views missing from the access matrix"
    assert covered - names == set(), "matrix names that are no longer URLs"


def test_the_walk_sees_routes_without_a_name():
    from django.urls import path

    def view(request):
        raise AssertionError

    walked = list(_walk([path("files/<path:name>", view), path("named/", view, name="named")]))
    assert walked == ["unnamed route 'files/<path:name>'", "named"]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize(
    "stored",
    ["invoices/2026/faktura-30.pdf", "agreements/avtale-23-1.pdf", "governance/cases/1/vedlegg.pdf"],
)
def test_stored_documents_have_no_url_of_their_own(client, settings, tmp_path, debug, stored):
    """Documents are reached only through views that ask the policy, whatever the setting."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / stored).parent.mkdir(parents=True)
    (tmp_path / stored).write_bytes(b"%PDF-1.7 stand-in")
    with _urlconf(settings, debug=debug):
        assert client.get(f"/media/{stored}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_the_secretariat_only(client, personas, role):
    response = client_for(client, personas, role).get(reverse("admin:members_organisation_changelist"))
    if role == "secretariat":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response.url
