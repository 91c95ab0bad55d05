"""What the web server behind nginx needs to know about the client."""

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as nginx saw it.

    nginx sets X-Real-IP to its peer's address on every request, replacing whatever a client
    sent (docs/deploy/nginx.conf), and gunicorn listens only where nginx can reach it; so the
    header cannot be forged, unlike the left end of X-Forwarded-For."""
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None
