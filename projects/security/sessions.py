"""Sessions and what a logged-in request must pass before it reaches a page.

- Idle timeout (TRACKER_SESSION_IDLE_SECONDS, 30 minutes): a session unused that long ends. The
  time of use is written at most once a minute, so a page view costs no session write.
- Absolute limit (TRACKER_SESSION_MAX_SECONDS, 8 hours from login), whatever the activity.
- One session per account (TRACKER_SESSION_ONE_PER_USER, off by default): a new login ends the
  account's previous session, wherever it was.
- A second factor where the role needs it (projects.security.roles.two_factor_required): an
  account without one is sent to enrol, and can do nothing else until it has.
- An expired password (projects.security.passwords) must be changed before anything else.
- ``Cache-Control: no-store`` on every response to a logged-in request (pages, exports, evidence
  files): a shared office computer's browser keeps no copy of them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from projects.models import LoginSession, User
from projects.security.events import AuditAction, security_event
from projects.security.passwords import password_expired
from projects.security.roles import two_factor_required

LOGIN_AT = "tracker_login_at"
SEEN_AT = "tracker_seen_at"
PASSWORD_EXPIRED = "tracker_password_expired"  # noqa: S105 - a session key name; its value: the hash of the password found expired at login
SEEN_RESOLUTION_SECONDS = 60

# Pages a user may open while made to enrol a second factor or to change a password.
ENROLMENT_PAGES = {"logout", "set_language", "two_factor:setup", "two_factor:qr", "two_factor:setup_complete"}
PASSWORD_PAGES = {"logout", "set_language", "password_change", "password_change_done"}


def session_started(*, request: HttpRequest, user: User) -> None:
    """At login: start the session's clocks, look at the password's age, and (with one session
    per account) end the account's previous session."""
    now = int(timezone.now().timestamp())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if password_expired(user):
        request.session[PASSWORD_EXPIRED] = user.password
    if settings.TRACKER_SESSION_ONE_PER_USER:
        _end_previous_session(request=request, user=user)


def _end_previous_session(*, request: HttpRequest, user: User) -> None:
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    previous = LoginSession.objects.filter(user=user).values_list("session_key", flat=True).first()
    if previous and previous != key:
        store: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
        store(session_key=previous).delete()
    LoginSession.objects.update_or_create(user=user, defaults={"session_key": key, "started_at": timezone.now()})


def _url_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return match.view_name


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    path = request.get_full_path()
    logout(request)
    messages.warning(request, message)
    query = urlencode({"next": path}) if request.method == "GET" else ""
    return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))


class AccessPolicyMiddleware:
    """After authentication and django-otp's middleware, before the views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.check(request) if request.user.is_authenticated else None
        if response is None:
            response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response

    def check(self, request: HttpRequest) -> HttpResponse | None:
        user: User = request.user
        session = request.session
        now = int(timezone.now().timestamp())
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.get(SEEN_AT, login_at)
        if now - login_at >= settings.TRACKER_SESSION_MAX_SECONDS:
            security_event(AuditAction.SESSION_ENDED, request=request, detail={"reason": "max_age"})
            hours = settings.TRACKER_SESSION_MAX_SECONDS // 3600
            return _to_login(request, _("登录已满 %(hours)d 小时，请重新登录。") % {"hours": hours})
        if now - seen_at >= settings.TRACKER_SESSION_IDLE_SECONDS:
            security_event(AuditAction.SESSION_ENDED, request=request, detail={"reason": "idle"})
            minutes = settings.TRACKER_SESSION_IDLE_SECONDS // 60
            message = _("已有 %(minutes)d 分钟没有操作，为安全起见已自动退出，请重新登录。")
            return _to_login(request, message % {"minutes": minutes})
        if now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now

        if two_factor_required(user) and not user.is_verified():
            if any(d.confirmed for d in devices_for_user(user)):
                # Enrolled, but this session never passed the second factor (it began before).
                return _to_login(request, _("请使用动态口令重新登录。"))
            if _url_name(request) not in ENROLMENT_PAGES:
                messages.info(request, _("您的角色须使用双因素认证：请先绑定动态口令，再继续使用系统。"))
                return HttpResponseRedirect(reverse("two_factor:setup"))
            return None

        expired = session.get(PASSWORD_EXPIRED)
        if expired:
            if expired != user.password:
                del session[PASSWORD_EXPIRED]  # changed since
            elif _url_name(request) not in PASSWORD_PAGES:
                days = settings.TRACKER_PASSWORD_MAX_AGE_DAYS
                messages.warning(request, _("密码已超过 %(days)d 天未修改，请先修改密码。") % {"days": days})
                return HttpResponseRedirect(reverse("password_change"))
        return None
