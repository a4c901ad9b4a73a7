from satulayar.core.events import EVENT_KINDS
from satulayar.core.guides import help_url
from satulayar.core.nav import items_for
from satulayar.org.access import scope_for


def satulayar(request):
    scope = scope_for(getattr(request, "user", None))
    return {
        "city": getattr(request, "city", None),
        "scope": scope,
        "nav_items": items_for(scope) if scope.is_authenticated else [],
        "help_url": help_url(_view_name(request)) if scope.is_authenticated else "",  # the header's help icon
        "event_kinds": list(EVENT_KINDS),  # the live event kinds, for the pages' scripts (json_script)
    }


def _view_name(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None
