from satulayar.core.nav import items_for
from satulayar.org.access import scope_for


def satulayar(request):
    scope = scope_for(getattr(request, "user", None))
    return {
        "city": getattr(request, "city", None),
        "scope": scope,
        "nav_items": items_for(scope) if scope.is_authenticated else [],
    }
