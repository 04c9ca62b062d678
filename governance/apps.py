from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from governance import services  # noqa: F401 - registers the meeting and minutes rules pages ask
        from members.signals import membership_changed

        membership_changed.connect(_council_seats_follow, dispatch_uid="governance-council-seats-on-membership")


def _council_seats_follow(sender, **kwargs) -> None:
    """A membership changed (after its transaction committed): the council's seats follow."""
    from governance import services

    services.council_seats_sync()
