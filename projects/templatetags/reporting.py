"""Template helpers of monthly reporting."""

from django import template

from projects import permissions
from projects.models import Submission, User
from projects.selectors.reporting import submission_figure_text

register = template.Library()


@register.filter
def has_review_list(user: User) -> bool:
    """Whether the nav offers the review list: reviewers, the office and leaders (who only read)."""
    return permissions.is_reviewer(user) or permissions.reads_everything(user)


@register.filter
def has_review_queue(user: User) -> bool:
    """Whether the nav offers the queue of figures waiting for the user's review."""
    return not user.is_leader and permissions.is_reviewer(user)


@register.filter
def figure_text(submission: Submission | None) -> str:
    """A figure as the offices write it, with its unit: "1,234 户", "90/100（90%）", "开工建设"."""
    return submission_figure_text(submission)
