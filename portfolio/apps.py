from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The generation of the portfolio's cached public pages (core.cache.cache_public_page).
PAGES = "portfolio"


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from portfolio import (
            dashboard,  # noqa: F401 - registers the grant reports due on the secretariat's start page
            grants,  # noqa: F401 - registers the rules the grant pages ask
            page_cache,
        )

        post_save.connect(page_cache.on_change, dispatch_uid="portfolio-pages-save")
        post_delete.connect(page_cache.on_change, dispatch_uid="portfolio-pages-delete")
        m2m_changed.connect(page_cache.on_change, dispatch_uid="portfolio-pages-m2m")
