
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
            timezone.activate(request.city.zone)
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


class AsyncFileStreamMiddleware:
    """Under ASGI, streams a file response (WhiteNoise's static files, FileResponse) as an asynchronous iterator read
    in a worker thread: Django otherwise reads a synchronous iterator into memory and warns "StreamingHttpResponse
    must consume synchronous iterators" on every static file. Under WSGI the response is left as it is. Sits
    before WhiteNoise in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.handlers.asgi import ASGIRequest

        response = self.get_response(request)
        if isinstance(request, ASGIRequest) and getattr(response, "streaming", False) and not response.is_async:
            response.streaming_content = _chunks_in_thread(iter(response.streaming_content))
        return response


async def _chunks_in_thread(chunks):
    from asgiref.sync import sync_to_async

    done = object()
    take = sync_to_async(lambda: next(chunks, done), thread_sensitive=False)
    while (chunk := await take()) is not done:
        yield chunk
