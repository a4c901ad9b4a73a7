from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from satulayar.org.access import scope_for


def capability_required(capability: str):
    """Login first, then the capability; a logged-in user without it gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not scope_for(request.user).can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")
