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

__all__ = [
    "Aggregation",
    "Assignment",
    "Direction",
    "Indicator",
    "IndicatorKind",
    "Plan",
    "Project",
    "RateBasis",
    "Role",
    "Task",
    "TaskUnit",
    "TaskUnitRole",
    "Unit",
    "UnitKind",
    "User",
]
