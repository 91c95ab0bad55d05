"""What the people's views share: who may see a page (else 404, as everywhere in the tracker),
and the refusals of services turned into messages in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from projects import permissions
from projects.people.selectors import deputies as sel


def office_only(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not permissions.administers(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def deputy_only(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        deputy = sel.deputy(request.user)
        if deputy is None:
            raise Http404
        request.deputy = deputy
        return view(request, *args, **kwargs)

    return wrapped


def refused(request: HttpRequest, exc: Exception) -> None:
    """A service's refusal: a clear message, or a 404 when the object is not the user's."""
    if isinstance(exc, PermissionDenied | ObjectDoesNotExist):
        raise Http404 from exc
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
        return
    raise exc
