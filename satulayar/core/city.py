from django.conf import settings
from django.http import Http404


def current_city():
    """The city this installation serves (SATULAYAR_CITY), or None before its reference data is loaded."""
    from satulayar.org.models import City

    return City.objects.filter(slug=settings.SATULAYAR_CITY).first()


def request_city(request, *, user_fallback: bool = False):
    """The city a page is about: the installation's, put on the request by CityMiddleware; with `user_fallback`
    the first city of the user's scope when the installation's is not loaded. 404 when there is none."""
    city = getattr(request, "city", None)
    if city is None and user_fallback:
        from satulayar.org.access import scope_for
        from satulayar.org.models import City

        city = City.objects.filter(pk__in=scope_for(request.user).city_ids).first()
    if city is None:
        raise Http404("city")
    return city
