from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from members import (
            agreements,  # noqa: F401 - registers the agreement and membership rules pages ask
            dashboard,  # noqa: F401 - registers the members' part of the start page
        )
