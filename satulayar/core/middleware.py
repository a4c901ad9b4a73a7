import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

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


class LanguageMiddleware:
    """Bahasa Indonesia unless the user chose otherwise with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many Indonesian
    officers use phones and browsers set to English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
