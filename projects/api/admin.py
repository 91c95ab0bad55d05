"""API clients in the admin: the system administrator creates them; each token is shown once."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from projects.api.models import ApiClient, ApiScope
from projects.api.services import api_client_issue_token


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = [
            "name", "contact", "scope", "units", "expires_at", "rate_limit", "allowed_addresses", "is_active",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        units = data.get("units")
        if data.get("scope") == ApiScope.WRITE and not units:
            self.add_error("units", ValidationError(_("报送权限须指定可报送的单位")))
        if data.get("scope") == ApiScope.READ and units:
            self.add_error("units", ValidationError(_("只读权限可读取全部单位的数据，不要指定单位")))
        return data


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scope", "token_prefix", "expires_at", "rate_limit", "is_active", "last_used_at"]
    list_filter = ["scope", "is_active"]
    search_fields = ["name", "contact", "token_prefix"]
    filter_horizontal = ["units"]
    readonly_fields = ["token_prefix", "created_at", "created_by", "last_used_at"]
    actions = ["issue_new_token"]

    def save_model(self, request: HttpRequest, obj: ApiClient, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new client is saved with its first token; the token goes to the page once, never to storage.
        request._api_token = api_client_issue_token(client=obj, actor=request.user)

    def response_add(self, request: HttpRequest, obj: ApiClient, post_url_continue=None) -> HttpResponse:
        token = getattr(request, "_api_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        return self._token_page(request, obj, token)

    @admin.action(description=_("重新生成所选客户端的令牌（旧令牌立即失效）"), permissions=["change"])
    def issue_new_token(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个客户端"), level="error")
            return None
        client = queryset.get()
        return self._token_page(request, client, api_client_issue_token(client=client, actor=request.user))

    def _token_page(self, request: HttpRequest, client: ApiClient, token: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("接口令牌"),
            "client": client,
            "token": token,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/api/token_issued.html", context)
