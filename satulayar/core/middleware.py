import zoneinfo

from django.utils import timezone

from satulayar.core.city import current_city


class CityTimezoneMiddleware:
    """Puts the city on the request and shows every time in its zone (WITA for Banjarmasin); storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.city = current_city()
        if request.city is not None:
            timezone.activate(zoneinfo.ZoneInfo(request.city.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
