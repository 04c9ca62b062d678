"""View helpers that ask the policy; the decisions themselves live in core.policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from core import policy, two_factor


def require(
    permission: str, *, hidden: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let the view run only for users who hold `permission` for some object; send others to sign in or 403.

    `hidden`: a signed-in user without the permission gets 404 instead of 403, for pages of one object that
    should not even be confirmed to exist (another organisation's agreement)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy.can(request.user, permission):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if step := two_factor.next_step_url(request.user, request.get_full_path()):
                    return redirect(step)
                if hidden:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator
