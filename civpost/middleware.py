from django.conf import settings
from django.shortcuts import render
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese for everyone unless they chose another language with the switch in the header.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would show
    English to a Chinese clerk whose browser happens to be set up in English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_BODY_MAX_MB before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out, so without this a multi-gigabyte "photo" would be
    streamed to a temporary file before a form could say it is too large. The reverse proxy sets the same cap
    (client_max_body_size, README.md) so that such a body never reaches the application at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.REQUEST_BODY_MAX_MB
        if declared > limit * 1024 * 1024:
            response = render(request, "413.html", {"limit": limit}, status=413)
            response["Connection"] = "close"  # The unread body must not be taken for the next request.
            return response
        return self.get_response(request)

