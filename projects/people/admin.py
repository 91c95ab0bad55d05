"""The congress's sessions and its deputies in the admin: the system administrator's, as accounts are.

Votes, ratings and their ballots have no admin: they are written only through their services, so
that a ballot stays secret and counted once."""

from django.contrib import admin

from projects.people.models import CongressSession, Deputy


@admin.register(CongressSession)
class CongressSessionAdmin(admin.ModelAdmin):
    list_display = ["name", "year"]


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ["name", "delegation", "session", "user"]
    list_filter = ["session", "delegation"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
