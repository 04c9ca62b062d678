from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import told


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from members.signals import membership_changed, population_changed

        population_changed.connect(_recompute_for_population, dispatch_uid="funding-recompute-on-population")
        from funding import (
            dashboard,  # noqa: F401 - registers the money part of the start page
            services,  # noqa: F401 - registers the invoice and model rules pages ask
        )

        membership_changed.connect(_recompute_for_membership, dispatch_uid="funding-recompute-on-membership")
        from funding.consultation_sources import register_sources

        register_sources()  # the drafts a consultation round may be opened on, with each member's amount


def _recompute_for_population(sender, reference_dates, **kwargs) -> None:
    from funding import services

    for year in services.recompute_years_affected(population_dates=reference_dates):
        services.recompute_start(year=year, reason=told.kept(gettext_noop("Population figures changed")))


def _recompute_for_membership(sender, since, **kwargs) -> None:
    from funding import services

    for year in services.recompute_years_affected(since=since):
        services.recompute_start(year=year, reason=told.kept(gettext_noop("Membership changed")))
