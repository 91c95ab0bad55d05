"""Who calls: a client's token (``Authorization: Bearer trk_…``), checked with its expiry and its
address allow-list. People's sessions are not accepted here: the API is for systems."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from projects.api.models import ApiClient
from projects.api.services import ApiPrincipal, token_hash
from projects.audit.services import client_address


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        if header[0].decode("latin-1").lower() != self.keyword.lower() or len(header) != 2:
            raise exceptions.AuthenticationFailed(_("请在 Authorization 头中以“Bearer 令牌”的形式提供接口令牌"))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("接口令牌无效")) from None
        client = ApiClient.objects.filter(token_hash=token_hash(token)).prefetch_related("units").first()
        if client is None or not client.is_active:
            raise exceptions.AuthenticationFailed(_("接口令牌无效或已停用"))
        if client.is_expired:
            raise exceptions.AuthenticationFailed(_("接口令牌已过期，请联系系统管理员更换"))
        address = client_address(request._request)
        if not client.address_allowed(address):
            # 403, not 401: the token is right, the place is not.
            raise exceptions.PermissionDenied(
                _("不允许从地址 %(address)s 调用接口，请联系系统管理员") % {"address": address or "?"}
            )
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return ApiPrincipal(client), client

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
