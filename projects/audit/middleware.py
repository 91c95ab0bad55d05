"""Every act recorded while a page is answered comes from that page's request (its user and address)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from projects.audit.models import AuditVia
from projects.audit.services import audit_context


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request, via=AuditVia.WEB):
            return self.get_response(request)
