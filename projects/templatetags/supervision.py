"""Template helpers of the supervision loop: state badges, what a step is called, the mark of a
closed-out target."""

from django import template

from projects.supervision.registers import STATE_BADGES
from projects.supervision.states import CloseOutAction, CloseOutState, LoopAction, LoopState

register = template.Library()

LABELS = {
    **dict(LoopState.choices),
    **dict(CloseOutState.choices),
}
ACTIONS = {**dict(LoopAction.choices), **dict(CloseOutAction.choices)}


@register.filter
def state_class(state: str) -> str:
    """The badge colour of a state of the loop or of a close-out."""
    return STATE_BADGES.get(state, "text-bg-light border")


@register.filter
def state_label(state: str) -> str:
    return str(LABELS.get(state, state or "—"))


@register.filter
def step_label(action: str) -> str:
    """What a step of an item's history is called: 签收, 整改反馈, 退回重新办理 …"""
    return str(ACTIONS.get(action, action))


@register.inclusion_tag("supervision/_instruct_button.html", takes_context=True)
def instruct_button(context, on: str, target) -> dict:
    """写批示 on a project or task page, for a leader whose portfolio holds it."""
    from projects import permissions

    user = context["request"].user
    project_id = target.pk if on == "project" else target.project_id
    allowed = permissions.projects_instructable_by(user).filter(pk=project_id).exists()
    return {"allowed": allowed, "on": on, "target": target}


@register.inclusion_tag("supervision/_indicator_loop.html", takes_context=True)
def indicator_loop(context, indicator) -> dict:
    """An indicator's close-out (its state, the lead department's application, its history link)
    and the leaders' instructions on it, on the indicator's page."""
    from projects import clock, permissions
    from projects.supervision import selectors

    user = context["request"].user
    closeouts = selectors.indicator_closeouts(indicator=indicator)
    holding = next((c for c in closeouts if c.state in (CloseOutState.APPLIED, CloseOutState.CLOSED_OUT)), None)
    may_apply = permissions.indicators_closable_by(user).filter(pk=indicator.pk).exists()
    standing = selectors.closeout_standing(indicator=indicator, today=clock.today()) if may_apply else None
    return {
        "indicator": indicator,
        "closeouts": closeouts,
        "holding": holding,
        "may_apply": may_apply and holding is None and standing is not None and standing.met,
        "reads_closeouts": permissions.reads_everything(user) or may_apply,
        "instructable": permissions.projects_instructable_by(user).filter(pk=indicator.task.project_id).exists(),
        "instructions": list(
            permissions.instructions_visible_to(user).filter(indicator=indicator).select_related("leader")
        ),
    }
