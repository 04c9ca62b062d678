from funding.models.catalogue import OneOffModel, PricedService, ServiceOrder
from funding.models.contributions import (
    Budget,
    Contribution,
    ContributionModel,
    ContributionOverride,
    ContributionRule,
    Deflator,
    RecomputeRun,
)
from funding.models.delivery import InvoiceDelivery, InvoiceResponseMessage
from funding.models.invoices import (
    BankImport,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    NumberSeries,
    Payment,
    Reminder,
)
from funding.models.settlement import ActualCost, Settlement, SettlementShare
from funding.models.sharing import SharingParticipant, SharingPlan

__all__ = [
    "ActualCost",
    "BankImport",
    "Budget",
    "Contribution",
    "ContributionModel",
    "ContributionOverride",
    "ContributionRule",
    "Deflator",
    "Invoice",
    "InvoiceDelivery",
    "InvoiceLine",
    "InvoiceResponseMessage",
    "InvoiceRun",
    "NumberSeries",
    "OneOffModel",
    "Payment",
    "PricedService",
    "RecomputeRun",
    "Reminder",
    "ServiceOrder",
    "Settlement",
    "SettlementShare",
    "SharingParticipant",
    "SharingPlan",
]
