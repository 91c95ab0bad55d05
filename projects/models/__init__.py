"""The domain's tables, one module per part of the domain."""

from projects.api.models import ApiClient, ApiScope, IdempotencyKey
from projects.audit.models import AuditChainHead, AuditRecord, AuditResult, AuditVia

# The supervision loop's tables, in the projects app (after the models they refer to by name).
from projects.supervision.models import (
    Answer,
    AnswerOutcome,
    CloseOut,
    Instruction,
    InstructionReply,
    SupervisionEvent,
    SupervisionFile,
)

from .accounts import Role, User
from .alerts import Alert, AlertKind, AlertScope, Severity, SupervisionNotice
from .catalogue import (
    Aggregation,
    Assignment,
    Direction,
    Frequency,
    Indicator,
    IndicatorGroup,
    IndicatorKind,
    Plan,
    PlanKind,
    Project,
    RateBasis,
    Task,
    TaskGroup,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitGroup,
    UnitGroupMember,
    UnitKind,
)
from .notifications import (
    Audience,
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Message,
    NotificationRule,
    WebhookEndpoint,
    WebhookFlavour,
    WebhookScope,
)
from .progress import CityProgress, LightChoices, UnitProgress
from .reporting import COUNTED_STATUSES, Evidence, MonthClosure, Submission, SubmissionStatus
from .security import LoginSession, PasswordRecord

# The people's side lives in its own subpackage; its tables belong to this app.
import projects.people.models  # noqa: F401 isort: skip

__all__ = [
    "COUNTED_STATUSES",
    "Aggregation",
    "Alert",
    "AlertKind",
    "AlertScope",
    "Answer",
    "AnswerOutcome",
    "ApiClient",
    "ApiScope",
    "Assignment",
    "Audience",
    "AuditChainHead",
    "AuditRecord",
    "AuditResult",
    "AuditVia",
    "Channel",
    "CityProgress",
    "CloseOut",
    "Delivery",
    "DeliveryStatus",
    "Direction",
    "Event",
    "Evidence",
    "Frequency",
    "IdempotencyKey",
    "Indicator",
    "IndicatorGroup",
    "IndicatorKind",
    "Instruction",
    "InstructionReply",
    "LightChoices",
    "LoginSession",
    "Message",
    "MonthClosure",
    "NotificationRule",
    "PasswordRecord",
    "Plan",
    "PlanKind",
    "Project",
    "RateBasis",
    "Role",
    "Severity",
    "Submission",
    "SubmissionStatus",
    "SupervisionEvent",
    "SupervisionFile",
    "SupervisionNotice",
    "Task",
    "TaskGroup",
    "TaskUnit",
    "TaskUnitRole",
    "Unit",
    "UnitGroup",
    "UnitGroupMember",
    "UnitKind",
    "UnitProgress",
    "User",
    "WebhookEndpoint",
    "WebhookFlavour",
    "WebhookScope",
]
