"""Chinese first: the interface language is the user's explicit choice, else Simplified Chinese."""

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but a browser's Accept-Language does not switch the
    interface away from Chinese: offices share machines set up in any language, and the
    language switch (a cookie) is the one way to choose English."""

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
