"""The acts the audit trail knows, with the words the audit page shows for them.

Stored as their code (``submission.submit``); a new act is a new line here, with no migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Accounts and sessions
    LOGIN = "auth.login", _("登录")
    LOGIN_FAILED = "auth.login_failed", _("登录失败")
    LOGOUT = "auth.logout", _("退出登录")
    LOCKOUT = "auth.lockout", _("账号锁定")
    # Access control (projects/security): the break-glass account, sessions, second factor,
    # lockouts lifted, accounts' roles and groups' permissions.
    SUPERUSER_LOGIN = "auth.superuser_login", _("超级管理员登录")
    SESSION_ENDED = "auth.session_ended", _("会话超时结束")
    UNLOCK = "auth.unlock", _("解除登录锁定")
    OTP_ENROLLED = "otp.enrol", _("绑定动态口令")
    OTP_VERIFIED = "otp.verify", _("动态口令验证通过")
    OTP_FAILED = "otp.verify_failed", _("动态口令验证失败")
    OTP_RECOVERY_USED = "otp.recovery_use", _("使用备用验证码登录")
    OTP_RECOVERY_CREATED = "otp.recovery_create", _("生成备用验证码")
    OTP_REMOVED = "otp.remove", _("解除动态口令")
    ACCOUNT_CREATED = "account.create", _("新建账号")
    ACCOUNT_CHANGED = "account.change", _("修改账号（角色、用户组、状态）")
    ACCOUNT_DELETED = "account.delete", _("删除账号")
    ACCOUNT_PASSWORD_SET = "account.password_set", _("重设他人密码")
    GROUP_CREATED = "group.create", _("新建用户组")
    GROUP_CHANGED = "group.change", _("修改用户组权限")
    GROUP_DELETED = "group.delete", _("删除用户组")
    ROLES_SETUP = "roles.setup", _("设置角色权限")
    # Monthly reporting
    FIGURE_DRAFT = "submission.save_draft", _("保存月报草稿")
    FIGURE_SUBMIT = "submission.submit", _("提交月报")
    FIGURE_IMPORT = "submission.import", _("从Excel导入月报")
    FIGURE_APPROVE = "submission.approve", _("审核通过月报")
    FIGURE_RETURN = "submission.return", _("退回月报")
    FIGURE_REOPEN = "submission.reopen", _("重新打开月报")
    FIGURES_SUBMIT_BULK = "submission.submit_bulk", _("批量提交月报")
    FIGURES_APPROVE_BULK = "submission.approve_bulk", _("批量审核通过月报")
    EVIDENCE_UPLOAD = "evidence.upload", _("上传佐证材料")
    EVIDENCE_DELETE = "evidence.delete", _("删除佐证材料")
    MONTH_CLOSE = "month.close", _("关闭月报报送窗口")
    MONTH_OPEN = "month.open", _("重新开放月报报送窗口")
    # The plan catalogue
    PLAN_LOAD = "plan.load", _("导入方案")
    PLAN_EDIT = "plan.edit", _("修改方案")
    PLAN_COPY = "plan.copy", _("复制方案到新年度")
    ALLOCATION_SET = "allocation.set", _("设置任务分解")
    # Alerts and notifications
    ALERT_SCAN = "alert.scan", _("预警扫描")
    MESSAGE_READ = "message.read", _("标记消息已读")
    MESSAGE_READ_ALL = "message.read_all", _("全部消息标为已读")
    MESSAGE_ACKNOWLEDGE = "message.acknowledge", _("签收通知")
    DELIVERY_REQUEUE = "delivery.requeue", _("重新发送通知")
    DELIVERY_SEND = "delivery.send", _("立即发送通知")
    BULLETIN_SEND = "bulletin.send", _("发送月度通报")
    REMINDERS_SEND = "reminders.send", _("发送报送提醒")
    DIGESTS_SEND = "digests.send", _("发送每周摘要")
    # The people's side (projects/people): publication, proposals, the vote, inspections,
    # suggestions, the rating. A vote's or a rating's record never says what was chosen.
    PLAN_PUBLISH = "people.publish", _("公开方案进度")
    PLAN_UNPUBLISH = "people.unpublish", _("取消公开方案进度")
    PUBLIC_REFRESH = "people.public_refresh", _("更新公开进度")
    PHOTO_PUBLISH = "people.photo_publish", _("公开照片")
    PHOTO_UNPUBLISH = "people.photo_unpublish", _("撤下公开照片")
    PROPOSAL_SUBMIT = "proposal.submit", _("提交群众建议")
    PROPOSAL_MODERATE = "proposal.moderate", _("处理群众建议")
    CANDIDATE_SAVE = "candidate.save", _("保存候选项目")
    VOTE_CREATE = "vote.create", _("设置票决")
    VOTE_CAST = "vote.cast", _("代表投票")
    DEPUTIES_CREATE = "deputy.create", _("建立人大代表账号")
    INSPECTION_RECORD = "inspection.record", _("记录代表视察")
    SUGGESTION_CREATE = "suggestion.create", _("提出代表建议")
    SUGGESTION_ACKNOWLEDGE = "suggestion.acknowledge", _("签收代表建议")
    SUGGESTION_REPLY = "suggestion.reply", _("答复代表建议")
    SUGGESTION_ACCEPT = "suggestion.accept", _("代表建议办结")
    SUGGESTION_REOPEN = "suggestion.reopen", _("代表建议继续办理")
    RATING_CREATE = "rating.create", _("设置满意度测评")
    RATING_CAST = "rating.cast", _("代表测评")
    # The supervision loop (projects/supervision)
    NOTICE_ACKNOWLEDGE = "notice.acknowledge", _("签收督办通知单")
    NOTICE_ANSWER = "notice.answer", _("提交督办整改反馈")
    NOTICE_ACCEPT = "notice.accept", _("核查通过督办反馈并办结")
    NOTICE_SEND_BACK = "notice.send_back", _("退回督办反馈")
    INSTRUCTION_ISSUE = "instruction.issue", _("作出领导批示")
    REPLY_ACKNOWLEDGE = "reply.acknowledge", _("签收领导批示")
    REPLY_ANSWER = "reply.answer", _("回复领导批示")
    REPLY_ACCEPT = "reply.accept", _("核查通过批示回复并办结")
    REPLY_SEND_BACK = "reply.send_back", _("退回批示回复")
    LOOP_REMIND = "loop.remind", _("发送反馈期限提醒和逾期催办")
    CLOSEOUT_APPLY = "closeout.apply", _("申请销号")
    CLOSEOUT_APPROVE = "closeout.approve", _("核查通过销号")
    CLOSEOUT_REFUSE = "closeout.refuse", _("不予销号")
    CLOSEOUT_REOPEN = "closeout.reopen", _("重新打开销号")
    # Set-up done by commands
    ACCOUNTS_DEMO = "accounts.demo_create", _("创建演示账号")
    SCHEDULES_SETUP = "schedules.setup", _("设置定时任务")
    NOTIFICATION_RULES_SETUP = "notification_rules.setup", _("设置通知规则")
    DEMO_SEED = "demo.seed", _("生成演示数据")
    PROGRESS_REBUILD = "progress.rebuild", _("重算进度")
    # The admin (every add, change and delete made there)
    ADMIN_ADD = "admin.add", _("后台新增")
    ADMIN_CHANGE = "admin.change", _("后台修改")
    ADMIN_DELETE = "admin.delete", _("后台删除")
    ADMIN_ACTION = "admin.action", _("后台批量操作")
    # Reads that take data away: exports and downloads
    EXPORT = "data.export", _("导出数据")
    DOWNLOAD = "data.download", _("下载文件")
    # The API for other systems (projects/api): every call, and the figures a client sends
    API_CALL = "api.call", _("接口调用")
    API_FIGURES = "submission.api", _("通过接口报送月报")
    API_TOKEN_ISSUE = "api.token_issue", _("生成接口令牌")
    API_KEYS_PURGE = "api.keys_purge", _("清理过期的接口幂等键")
    # The audit trail itself
    AUDIT_VIEW = "audit.view", _("查看审计日志")
    AUDIT_EXPORT = "audit.export", _("导出审计日志")
    AUDIT_PURGE = "audit.purge", _("清理过期审计日志")
    AUDIT_VERIFY = "audit.verify", _("校验审计日志")


def action_label(code: str) -> str:
    """The words for an act; an act no longer in the registry shows its code."""
    try:
        return str(AuditAction(code).label)
    except ValueError:
        return code
