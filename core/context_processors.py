from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from core import policy


def portal(request):
    # An error page may be drawn for a request that never reached the authentication middleware.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "network_name": settings.NETWORK_NAME,
        "is_secretariat": policy.is_secretariat(user),
        "nav": {
            "members": True,
            "import_population": policy.can(user, "population.import"),
            "import_register": policy.can(user, "organisation.import_register"),
            "contributions": policy.can(user, "contribution.view"),
            "invoices": policy.can(user, "invoice.view"),
            "deliveries": policy.can(user, "invoice.delivery"),
            "plans": policy.can(user, "sharing_plan.view"),
            "agreements": policy.can(user, "agreement.view"),
            "models": policy.can(user, "contribution_model.view"),
            "budget": policy.can(user, "budget.view"),
            "admin": policy.can(user, "admin.access"),
            "governance": policy.can(user, "governance.view"),
            "cycle": policy.can(user, "cycle.view"),
        },
    }
