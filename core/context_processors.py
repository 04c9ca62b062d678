from django.conf import settings

from core import policy


def portal(request):
    user = request.user
    return {
        "network_name": settings.NETWORK_NAME,
        "is_secretariat": policy.is_secretariat(user),
        "nav": {
            "members": True,
            "import_population": policy.can(user, "population.import"),
            "contributions": policy.can(user, "contribution.view"),
            "invoices": policy.can(user, "invoice.view"),
            "agreements": policy.can(user, "agreement.view"),
            "models": policy.can(user, "contribution_model.view"),
            "budget": policy.can(user, "budget.view"),
            "admin": policy.can(user, "admin.access"),
            "governance": policy.can(user, "governance.view"),
        },
    }
