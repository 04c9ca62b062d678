from django.urls import path

from funding.views import catalogue as catalogue_views
from funding.views import contributions as views
from funding.views import deliveries as delivery_views
from funding.views import invoices as invoice_views
from funding.views import settlement as settlement_views
from funding.views import sharing as sharing_views

app_name = "funding"

urlpatterns = [
    path("models/", views.model_list, name="model_list"),
    path("models/new/", views.model_create, name="model_create"),
    path("models/<int:pk>/", views.model_detail, name="model_detail"),
    path("models/<int:pk>/edit/", views.model_update, name="model_update"),
    path("models/<int:pk>/copy/", views.model_copy, name="model_copy"),
    path("models/<int:pk>/adopt/", views.model_adopt, name="model_adopt"),
    path("deflators/set/", views.deflator_set, name="deflator_set"),
    path("recompute/<year:year>/", views.recompute, name="recompute"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("scenarios/", views.scenario_compare, name="scenario_compare"),
    path("contributions/", views.contribution_list, name="contribution_list"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution_detail"),
    path("budget/", views.budget_list, name="budget_list"),
    path("budget/<year:year>/", views.budget_detail, name="budget_detail"),
    path("budget/<year:year>/edit/", views.budget_edit, name="budget_edit"),
]

urlpatterns += [
    path("invoices/", invoice_views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", invoice_views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/ehf/", invoice_views.invoice_ehf, name="invoice_ehf"),
    path("invoices/<int:pk>/payment/", invoice_views.invoice_payment, name="invoice_payment"),
    path("invoices/<int:pk>/remind/", invoice_views.invoice_remind, name="invoice_remind"),
    path("invoices/<int:pk>/credit/", invoice_views.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/send/", invoice_views.invoice_send, name="invoice_send"),
    path("invoices/run/<year:year>/", invoice_views.invoice_run, name="invoice_run"),
    path("invoice-runs/<int:pk>/", invoice_views.invoice_run_detail, name="invoice_run_detail"),
    path("invoice-runs/<int:pk>/status/", invoice_views.invoice_run_status, name="invoice_run_status"),
    path("payments/import/", invoice_views.bank_import, name="bank_import"),
    path("journal/", invoice_views.journal, name="journal"),
    path("deliveries/", delivery_views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/retry/", delivery_views.delivery_retry, name="delivery_retry"),
    path("deliveries/responses/", delivery_views.responses_collect, name="responses_collect"),
]

urlpatterns += [
    path("plans/", sharing_views.plan_list, name="plan_list"),
    path("plans/new/", sharing_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", sharing_views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", sharing_views.plan_update, name="plan_update"),
    path("plans/<int:pk>/adopt/", sharing_views.plan_adopt, name="plan_adopt"),
    path("plans/<int:pk>/new-version/", sharing_views.plan_new_version, name="plan_new_version"),
    path("plans/<int:pk>/invoice/", sharing_views.plan_invoice, name="plan_invoice"),
    path("plans/<int:pk>/actuals/", settlement_views.plan_actuals, name="plan_actuals"),
    path("plans/<int:pk>/settle/", settlement_views.plan_settle, name="plan_settle"),
    path("plans/actuals/import/", settlement_views.actual_costs_import, name="actual_costs_import"),
]

urlpatterns += [
    path("services/", catalogue_views.service_list, name="service_list"),
    path("services/new/", catalogue_views.service_create, name="service_create"),
    path("services/<int:pk>/", catalogue_views.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", catalogue_views.service_update, name="service_update"),
    path("services/<int:pk>/order/", catalogue_views.order_create, name="order_create"),
    path("services/<int:pk>/take-into-use/", catalogue_views.service_take_into_use, name="service_take_into_use"),
    path("orders/", catalogue_views.order_list, name="order_list"),
    path("orders/<int:pk>/", catalogue_views.order_detail, name="order_detail"),
    path("orders/<int:pk>/agree/", catalogue_views.order_agree, name="order_agree"),
    path("orders/<int:pk>/cancel/", catalogue_views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/deliver/", catalogue_views.order_deliver, name="order_deliver"),
    path("orders/<int:pk>/invoice/", catalogue_views.order_invoice, name="order_invoice"),
    path("one-off/", catalogue_views.one_off_list, name="one_off_list"),
    path("one-off/new/", catalogue_views.one_off_create, name="one_off_create"),
    path("one-off/<int:pk>/", catalogue_views.one_off_detail, name="one_off_detail"),
    path("one-off/<int:pk>/edit/", catalogue_views.one_off_update, name="one_off_update"),
    path("one-off/<int:pk>/invoice/", catalogue_views.one_off_invoice, name="one_off_invoice"),
]
