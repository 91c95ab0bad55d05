"""The people's side's pages (namespace ``people``): public ones need no login."""

from django.urls import path
from django.views.decorators.http import require_GET

from projects.people.views import deputy, office, public

app_name = "people"

urlpatterns = [
    # Public (政务公开, 征集): no login, served from the cache.
    path("public/", public.public_index, name="public"),
    path("public/plans/<int:plan_id>/", public.public_plan, name="public_plan"),
    path("public/photos/<int:pk>/", public.public_photo, name="public_photo"),
    path("public/feed/", require_GET(public.PublicFeed()), name="public_feed"),
    path("public/votes/<int:pk>/", public.public_vote, name="public_vote"),
    path("public/proposals/", public.proposal_new, name="proposal_new"),
    path("public/proposals/thanks/", public.proposal_thanks, name="proposal_thanks"),
    # The office.
    path("people/office/", office.office_home, name="office"),
    path("people/office/plans/<int:pk>/publish/", office.plan_publish, name="plan_publish"),
    path("people/office/plans/<int:plan_id>/photos/", office.photos, name="photos"),
    path("people/office/evidence/<int:evidence_id>/publish/", office.photo_publish, name="photo_publish"),
    path("people/office/photos/<int:pk>/unpublish/", office.photo_unpublish, name="photo_unpublish"),
    path("people/office/proposals/", office.proposals, name="proposals"),
    path("people/office/proposals/<int:pk>/", office.proposal_moderate, name="proposal_moderate"),
    path("people/office/votes/new/", office.vote_new, name="vote_new"),
    path("people/office/votes/<int:pk>/", office.vote_office, name="vote_office"),
    path("people/office/votes/<int:pk>/live/", office.vote_live, name="vote_live"),
    path("people/office/votes/<int:pk>/candidates/", office.candidate_new, name="candidate_new"),
    path("people/office/votes/<int:pk>/plan.json", office.vote_plan, name="vote_plan"),
    path("people/office/ratings/new/", office.rating_new, name="rating_new"),
    path("people/office/ratings/<int:pk>/", office.rating_office, name="rating_office"),
    path("people/office/ratings/<int:pk>/report.docx", office.rating_report, name="rating_report"),
    # Deputies (人大代表), and the lead units' side of suggestions.
    path("people/deputy/", deputy.deputy_home, name="deputy"),
    path("people/deputy/progress/", deputy.progress, name="progress"),
    path("people/votes/<int:pk>/", deputy.ballot, name="ballot"),
    path("people/ratings/<int:pk>/", deputy.rating_ballot, name="rating_ballot"),
    path("people/inspections/new/", deputy.inspection_new, name="inspection_new"),
    path("people/inspections/photos/<int:pk>/", deputy.inspection_photo, name="inspection_photo"),
    path("people/suggestions/", deputy.suggestions, name="suggestions"),
    path("people/suggestions/new/", deputy.suggestion_new, name="suggestion_new"),
    path("people/suggestions/<int:pk>/", deputy.suggestion_detail, name="suggestion_detail"),
]
