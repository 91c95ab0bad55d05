"""The people's side (群众点单、代表定单、政府买单、人大验单): the public progress page, citizens'
proposals, the deputies' vote, their inspections and suggestions, and the year-end rating.

Ballots are secret by construction: a vote or a rating adds to counts (``Candidate.votes``,
``RatingTally``) and writes a separate record that the deputy has voted or rated (``VoteCast``,
``RatingCast``); no row links the two, so no table says what a deputy chose, while the unique
constraint on the "has voted" record lets each deputy vote once."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.encryption import EncryptedCharField
from projects.models.catalogue import Plan, Project, Unit
from projects.models.reporting import Evidence, private_storage
from projects.supervision.models import LoopItem

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- the congress and its deputies ----------------------------------------------------------


class CongressSession(models.Model):
    """One session of the city's people's congress (人民代表大会会议): its deputies vote the next
    year's projects in and rate the last year's."""

    name = models.CharField(_("会议名称"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        verbose_name = _("人代会会议")
        verbose_name_plural = _("人代会会议")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Deputy(models.Model):
    """人大代表: an account of one session (a deputy of the next session gets a new account)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deputy", verbose_name=_("账号")
    )
    session = models.ForeignKey(
        CongressSession, on_delete=models.PROTECT, related_name="deputies", verbose_name=_("会议")
    )
    name = models.CharField(_("姓名"), max_length=50)
    delegation = models.CharField(_("代表团"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = ["session", "delegation", "name"]

    def __str__(self) -> str:
        return self.name


# --- the public progress page ---------------------------------------------------------------


class Publication(models.Model):
    """A plan the office publishes (政务公开): its progress shows on the public page."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="publication", verbose_name=_("方案"))
    published_at = models.DateTimeField(_("公开时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("公开方案")
        verbose_name_plural = _("公开方案")

    def __str__(self) -> str:
        return str(self.plan)


class PublicSnapshot(models.Model):
    """What the public page says of a plan as of a closed month: built once when the month
    closes (from reviewed figures only), then served as it is. ``data`` is plain JSON."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="public_snapshots")
    month = models.DateField(_("月份"))
    data = models.JSONField(_("内容"))
    built_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("公开进度快照")
        verbose_name_plural = _("公开进度快照")
        ordering = ["plan", "-month"]
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="publicsnapshot_one_per_month")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.month:%Y-%m}"


def public_photo_path(instance: PublicPhoto, filename: str) -> str:
    # ``filename`` is the copy's SHA-256 (projects/people/services/public.py): no user's name in it.
    return f"public-photos/{filename[:2]}/{filename}"


class PublicPhoto(models.Model):
    """A photo of evidence that the office approved for the public page, with its caption. ``file``
    is the copy the public is served: the pixels only, no EXIF (projects/people/photos.py)."""

    evidence = models.OneToOneField(
        Evidence, on_delete=models.CASCADE, related_name="publication", verbose_name=_("佐证材料")
    )
    caption = models.CharField(_("说明"), max_length=200)
    file = models.FileField(_("公开的照片"), upload_to=public_photo_path, storage=private_storage, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("批准时间"))

    class Meta:
        verbose_name = _("公开照片")
        verbose_name_plural = _("公开照片")
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return self.caption


# --- proposals and the vote -----------------------------------------------------------------


class Vote(models.Model):
    """票决: in the window, each deputy of the session votes for ``choose`` of the candidates."""

    session = models.ForeignKey(CongressSession, on_delete=models.PROTECT, related_name="votes", verbose_name=_("会议"))
    title = models.CharField(_("名称"), max_length=200)
    plan_year = models.PositiveSmallIntegerField(_("实施年度"))
    choose = models.PositiveSmallIntegerField(_("应选项目数"), validators=[MinValueValidator(1)])
    opens_at = models.DateTimeField(_("投票开始"))
    closes_at = models.DateTimeField(_("投票截止"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("票决")
        verbose_name_plural = _("票决")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    """A candidate project (候选项目) the office drew up, often from citizens' proposals."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("票决"))
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("建设内容"))
    estimated_cost = models.DecimalField(_("估算投资（万元）"), validators=[MinValueValidator(Decimal(0))], **MONEY)
    lead_units = models.ManyToManyField(Unit, related_name="candidacies", verbose_name=_("责任单位"))
    cooperating_units = models.ManyToManyField(Unit, related_name="+", blank=True, verbose_name=_("配合单位"))
    # The count of deputies who chose it: the only trace of their ballots (see the module's note).
    votes = models.PositiveIntegerField(_("得票数"), default=0)

    class Meta:
        verbose_name = _("候选项目")
        verbose_name_plural = _("候选项目")
        ordering = ["vote", "number"]
        constraints = [models.UniqueConstraint(fields=["vote", "number"], name="candidate_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class VoteCast(models.Model):
    """That a deputy has voted, and nothing of what they chose."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="casts")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        constraints = [models.UniqueConstraint(fields=["vote", "deputy"], name="votecast_once_per_deputy")]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.deputy_id}"


class ProposalStatus(models.TextChoices):
    NEW = "new", _("待审")
    ACCEPTED = "accepted", _("已采纳")
    DECLINED = "declined", _("未采纳")


class Proposal(models.Model):
    """A citizen's proposal (群众建议). The sender's address is kept only as a keyed hash, for
    the throttle; contact details are encrypted at rest and never shown publicly."""

    title = models.CharField(_("建议标题"), max_length=100)
    body = models.TextField(_("建议内容"), max_length=2000)
    place = models.CharField(_("涉及地点"), max_length=100, blank=True)
    contact = EncryptedCharField(_("联系方式"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    address_key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.NEW)
    note = models.CharField(_("处理意见"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals",
        verbose_name=_("转为候选项目"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("群众建议")
        verbose_name_plural = _("群众建议")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["address_key", "submitted_at"], name="proposal_throttle")]

    def __str__(self) -> str:
        return self.title


# --- inspections and suggestions ------------------------------------------------------------


class Inspection(models.Model):
    """视察: a deputy's visit to a project's site."""

    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("代表"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("项目"))
    visited_on = models.DateField(_("视察日期"))
    place = models.CharField(_("地点"), max_length=200)
    notes = models.TextField(_("视察情况"), max_length=5000)
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("代表视察")
        verbose_name_plural = _("代表视察")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"


def inspection_photo_path(instance: InspectionPhoto, filename: str) -> str:
    return f"inspections/{instance.sha256[:2]}/{instance.sha256}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=inspection_photo_path, storage=private_storage)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("视察照片")
        verbose_name_plural = _("视察照片")

    def __str__(self) -> str:
        return self.original_name


class Suggestion(LoopItem):
    """A deputy's suggestion (代表建议) on a project to one of its lead units, answered through the
    supervision loop (projects/supervision/states.py): issued (交办) → acknowledged (签收) → answered
    (办理反馈) → verified by the deputy who made it, who closes it (办结) or sends it back (退回,
    with a fresh ``deadline``); reminders before the deadline and the 催办 after it. Its history is
    the loop's (``SupervisionEvent.suggestion``)."""

    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("代表"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("项目"))
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("承办单位")
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions",
        verbose_name=_("视察"),
    )  # fmt: skip
    text = models.TextField(_("建议内容"), max_length=5000)
    created_at = models.DateTimeField(_("提出时间"))
    deadline = models.DateField(_("答复期限"))

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["lead_unit", "state"], name="suggestion_unit_state"),
            # suggestion_reminders_send looks for open suggestions by deadline.
            models.Index(fields=["deadline"], condition=~Q(state="closed"), name="suggestion_open_by_deadline"),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def unit(self) -> Unit:
        """The unit the loop waits for (as a notice's ``unit``)."""
        return self.lead_unit


# --- the year-end rating --------------------------------------------------------------------


class Rating(models.Model):
    """满意度测评: in the window, each deputy of the session rates each project of the plan once."""

    session = models.ForeignKey(
        CongressSession, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("会议")
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("方案"))
    opens_at = models.DateTimeField(_("测评开始"))
    closes_at = models.DateTimeField(_("测评截止"))
    threshold = models.DecimalField(
        _("满意率警戒线（%）"), max_digits=5, decimal_places=2, default=Decimal(80),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("满意与基本满意合计低于此比例的项目标出"),
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "plan"], name="rating_once_per_session_plan"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="rating_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.plan}"


class RatingTally(models.Model):
    """The counts of one project's ratings: the only trace of the ballots."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="tallies")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    basically = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)

    class Meta:
        verbose_name = _("测评计票")
        verbose_name_plural = _("测评计票")
        constraints = [models.UniqueConstraint(fields=["rating", "project"], name="ratingtally_one_per_project")]

    def __str__(self) -> str:
        return f"{self.rating_id}/{self.project_id}"


class RatingCast(models.Model):
    """That a deputy has rated, and nothing of how."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="casts")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("测评记录")
        verbose_name_plural = _("测评记录")
        constraints = [models.UniqueConstraint(fields=["rating", "deputy"], name="ratingcast_once_per_deputy")]

    def __str__(self) -> str:
        return f"{self.rating_id}/{self.deputy_id}"
