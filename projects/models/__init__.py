"""The domain's tables, one module per part of the domain."""

from .accounts import Role, User
from .catalogue import (
    Aggregation,
    Assignment,
    Direction,
    Indicator,
    IndicatorKind,
    Plan,
    Project,
    RateBasis,
    Task,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitKind,
)
from .progress import CityProgress, LightChoices, UnitProgress
from .reporting import COUNTED_STATUSES, Evidence, MonthClosure, Submission, SubmissionStatus

__all__ = [
    "COUNTED_STATUSES",
    "Aggregation",
    "Assignment",
    "CityProgress",
    "Direction",
    "Evidence",
    "Indicator",
    "IndicatorKind",
    "LightChoices",
    "MonthClosure",
    "Plan",
    "Project",
    "RateBasis",
    "Role",
    "Submission",
    "SubmissionStatus",
    "Task",
    "TaskUnit",
    "TaskUnitRole",
    "Unit",
    "UnitKind",
    "UnitProgress",
    "User",
]
