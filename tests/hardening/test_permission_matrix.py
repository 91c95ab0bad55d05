"""Every URL of the site, GET and POST, as every kind of user, with one's own and other units' ids.

The one table below says what each role gets. It is checked against the URL configuration: a URL
pattern without a row fails ``test_every_url_pattern_has_a_row`` (the admin counts as one entry:
its hundred-odd patterns share one gate, ``AdminSite.admin_view``, checked through a few rows; so
does the API, whose own matrix is test_api_permission_matrix.py: here, that no session opens it).

Answers (one column per role):

    200    the page (or the file)
    302    a redirect that is not to a login page (a write done, a page moved on)
    L      sent to the login page          A   sent to the admin's login page
    403    the admin's "permission denied" 404 not found: a forbidden object does not exist
    405    the method is not allowed (read-only pages answer GET only, writes POST only)

Each request runs in a savepoint that is rolled back, so that a write allowed in one row does not
change what the next row sees; behind every refusal a view makes (404, 403) the database is
checked to be unchanged.

The reporting pages' finer cases (a reviewer of another department, drafts never reviewed …)
stay in tests/reporting/test_permissions.py; this matrix covers all URLs and the roles of issue 7.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from projects.models import (
    Answer,
    CloseOut,
    Evidence,
    Indicator,
    Instruction,
    InstructionReply,
    Message,
    MonthClosure,
    Submission,
    SupervisionFile,
    SupervisionNotice,
    UnitGroup,
    User,
)

from .conftest import JUNE, PNG, ROLES, World, indicator

pytestmark = pytest.mark.django_db

#                                        anon  cnty  lead  othr  ctte  ldr   offc  staf  supr  sys   sec   audit deputy
TABLE = """
# Units land on their monthly report; the office and leaders on the overview; staff with no unit
# on a page that says so.
home                              GET    L     302   302   302   302   200   200   200   200   200   200   200   302
home                              POST   L     405   405   405   405   405   405   405   405   405   405   405   405
set_language                      GET    302   302   302   302   302   302   302   302   302   302   302   302   302
set_language                      POST   302   302   302   302   302   302   302   302   302   302   302   302   302
login                             GET    200   200   200   200   200   200   200   200   200   200   200   200   200
login                             POST   200   200   200   200   200   200   200   200   200   200   200   200   200
logout                            GET    405   405   405   405   405   405   405   405   405   405   405   405   405
logout                            POST   L     L     L     L     L     L     L     L     L     L     L     L   L
password_change                   GET    L     200   200   200   200   200   200   200   200   200   200   200   200
password_change                   POST   L     200   200   200   200   200   200   200   200   200   200   200   200
password_change_done              GET    L     200   200   200   200   200   200   200   200   200   200   200   200
password_change_done              POST   L     405   405   405   405   405   405   405   405   405   405   405   405
password_reset                    GET    200   200   200   200   200   200   200   200   200   200   200   200   200
password_reset                    POST   302   302   302   302   302   302   302   302   302   302   302   302   302
password_reset_done               GET    200   200   200   200   200   200   200   200   200   200   200   200   200
password_reset_done               POST   405   405   405   405   405   405   405   405   405   405   405   405   405
password_reset_confirm            GET    200   200   200   200   200   200   200   200   200   200   200   200   200
password_reset_confirm            POST   200   200   200   200   200   200   200   200   200   200   200   200   200
password_reset_complete           GET    200   200   200   200   200   200   200   200   200   200   200   200   200
password_reset_complete           POST   405   405   405   405   405   405   405   405   405   405   405   405   405
# The second factor's pages (django-two-factor-auth): enrolment for anyone logged in; recovery
# codes once a session has passed the second factor (none here has); the roles that must keep
# their second factor are sent back from the page that would switch it off.
two_factor_login                  GET    200   200   200   200   200   200   200   200   200   200   200   200   200
two_factor_login                  POST   200   200   200   200   200   200   200   200   200   200   200   200   200
two_factor_profile                GET    L     200   200   200   200   200   200   200   200   200   200   200   200
two_factor_profile                POST   L     405   405   405   405   405   405   405   405   405   405   405   405
two_factor_setup                  GET    L     200   200   200   200   200   200   200   200   200   200   200   200
two_factor_setup                  POST   L     200   200   200   200   200   200   200   200   200   200   200   200
two_factor_qr                     GET    L     404   404   404   404   404   404   404   404   404   404   404   404
two_factor_qr                     POST   L     405   405   405   405   405   405   405   405   405   405   405   405
two_factor_setup_complete         GET    L     L     L     L     L     L     L     L     L     L     L     L   L
two_factor_setup_complete         POST   L     L     L     L     L     L     L     L     L     L     L     L   L
two_factor_backup_tokens          GET    L     L     L     L     L     L     L     L     L     L     L     L   L
two_factor_backup_tokens          POST   L     L     L     L     L     L     L     L     L     L     L     L   L
two_factor_disable                GET    302   302   302   302   302   302   302   302   302   302   302   302   302
two_factor_disable                POST   302   302   302   302   302   302   302   302   302   302   302   302   302
admin_index                       GET    A     A     A     A     A     A     200   200   200   200   200   200   A
admin_index                       POST   A     A     A     A     A     A     200   200   200   200   200   200   A
admin_alerts                      GET    A     A     A     A     A     A     200   403   200   403   403   403   A
admin_alerts                      POST   A     A     A     A     A     A     200   403   200   403   403   403   A
# The superuser's account: the system and security administrators may read it, nobody else
# changes it (every account route, every role: tests/security/test_admin_account_routes.py).
admin_change_superuser            GET    A     A     A     A     A     A     403   403   200   200   200   403   A
admin_change_superuser            POST   A     A     A     A     A     A     403   403   200   403   403   403   A
overview                          GET    L     404   404   404   404   200   200   404   200   404   404   404   404
overview                          POST   L     405   405   405   405   405   405   405   405   405   405   405   405
project_detail                    GET    L     404   404   404   404   200   200   404   200   404   404   404   404
project_detail                    POST   L     405   405   405   405   405   405   405   405   405   405   405   405
task_detail:lead                  GET    L     404   200   404   404   200   200   404   200   404   404   404   404
task_detail:lead                  POST   L     405   405   405   405   405   405   405   405   405   405   405   405
task_detail:other                 GET    L     404   404   200   404   200   200   404   200   404   404   404   404
indicator_detail:lead             GET    L     404   200   404   404   200   200   404   200   404   404   404   404
indicator_detail:other            GET    L     404   404   200   404   200   200   404   200   404   404   404   404
indicator_detail:other            POST   L     405   405   405   405   405   405   405   405   405   405   405   405
county_view                       GET    L     404   404   404   404   200   200   404   200   404   404   404   404
county_view                       POST   L     405   405   405   405   405   405   405   405   405   405   405   405
unit_detail:county                GET    L     200   404   404   404   200   200   404   200   404   404   404   404
unit_detail:lead                  GET    L     404   200   404   404   200   200   404   200   404   404   404   404
unit_detail:lead                  POST   L     405   405   405   405   405   405   405   405   405   405   405   405
# The lists are class-based views: the role is checked before the method.
lagging_list                      GET    L     404   404   404   404   200   200   404   200   404   404   404   404
lagging_list                      POST   L     404   404   404   404   405   405   404   405   404   404   404   404
overdue_list                      GET    L     404   404   404   404   200   200   404   200   404   404   404   404
overdue_list                      POST   L     404   404   404   404   405   405   404   405   404   404   404   404
missing_list                      GET    L     404   404   404   404   200   200   404   200   404   404   404   404
missing_list                      POST   L     404   404   404   404   405   405   404   405   404   404   404   404
# The alerts list: every unit sees its own unit's alerts; another unit's, by filter, is not found.
alert_list                        GET    L     200   200   200   200   200   200   404   200   404   404   404   404
alert_list                        POST   L     405   405   405   405   405   405   404   405   404   404   404   404
alert_list:county                 GET    L     200   404   404   404   200   200   404   200   404   404   404   404
# One format is enough: the format only picks the builder (the Word one is the slow one).
bulletin:xlsx                     GET    L     404   404   404   404   200   200   404   200   404   404   404   404
bulletin:xlsx                     POST   L     405   405   405   405   405   405   405   405   405   405   405   405
bulletin:pdf                      GET    L     404   404   404   404   404   404   404   404   404   404   404   404
inbox                             GET    L     200   200   200   200   200   200   200   200   200   200   200   200
inbox                             POST   L     405   405   405   405   405   405   405   405   405   405   405   405
inbox_read_all                    GET    L     405   405   405   405   405   405   405   405   405   405   405   405
inbox_read_all                    POST   L     302   302   302   302   302   302   302   302   302   302   302   302
message_read:county               GET    L     405   405   405   405   405   405   405   405   405   405   405   405
message_read:county               POST   L     302   404   404   404   404   404   404   404   404   404   404   404
message_read:lead                 POST   L     404   302   404   404   404   404   404   404   404   404   404   404
message_acknowledge:county        GET    L     405   405   405   405   405   405   405   405   405   405   405   405
message_acknowledge:county        POST   L     302   404   404   404   404   404   404   404   404   404   404   404
message_acknowledge:lead          POST   L     404   302   404   404   404   404   404   404   404   404   404   404
# Following a message's link: its reader only (it is marked read on the way).
message_open:county               GET    L     302   404   404   404   404   404   404   404   404   404   404   404
message_open:county               POST   L     405   405   405   405   405   405   405   405   405   405   405   405
message_open:lead                 GET    L     404   302   404   404   404   404   404   404   404   404   404   404
# Worklists: a unit's still-to-do (others' read only, as its month), the reviewers' queue; search.
todo                              GET    L     200   200   200   200   404   404   404   404   404   404   404   404
todo                              POST   L     405   405   405   405   405   405   405   405   405   405   405   405
todo:county                       GET    L     200   404   404   404   200   200   404   200   404   404   404   404
todo_submit                       GET    L     405   405   405   405   405   405   405   405   405   405   405   405
todo_submit                       POST   L     302   302   302   302   404   404   404   404   404   404   404   404
review_queue                      GET    L     404   200   200   404   404   200   404   200   404   404   404   404
review_queue                      POST   L     405   405   405   405   405   405   405   405   405   405   405   405
review_queue_approve              GET    L     405   405   405   405   405   405   405   405   405   405   405   405
review_queue_approve              POST   L     404   302   302   404   404   302   404   302   404   404   404   404
search                            GET    L     200   200   200   200   200   200   200   200   200   200   200   200
search                            POST   L     405   405   405   405   405   405   405   405   405   405   405   405
# A notice's address before the loop: a redirect to its page, which decides who sees it.
notice_detail:county              GET    302   302   302   302   302   302   302   302   302   302   302   302   302
notice_detail:county              POST   302   302   302   302   302   302   302   302   302   302   302   302   302
report_index                      GET    L     302   302   302   302   302   302   404   302   404   404   404   404
report_index                      POST   L     405   405   405   405   405   405   405   405   405   405   405   405
report_month:own                  GET    L     200   200   200   200   200   200   404   200   404   404   404   404
report_month:own                  POST   L     405   405   405   405   405   405   405   405   405   405   405   405
report_month:county               GET    L     200   404   404   404   200   200   404   200   404   404   404   404
# Month 13 matches no URL pattern: a 404 before any login check.
report_month:no_such_month        GET    404   404   404   404   404   404   404   404   404   404   404   404   404
report_edit:county                GET    L     200   404   404   404   404   404   404   404   404   404   404   404
report_edit:county                POST   L     302   404   404   404   404   404   404   404   404   404   404   404
report_edit:lead                  GET    L     404   200   404   404   404   404   404   404   404   404   404   404
report_edit:lead                  POST   L     404   302   404   404   404   404   404   404   404   404   404   404
report_edit:county_before_plan    GET    L     404   404   404   404   404   404   404   404   404   404   404   404
report_template:own               GET    L     200   200   200   200   404   404   404   404   404   404   404   404
report_template:own               POST   L     405   405   405   405   405   405   405   405   405   405   405   405
report_template:county            GET    L     200   404   404   404   200   200   404   200   404   404   404   404
report_import                     GET    L     405   405   405   405   405   405   405   405   405   405   405   405
report_import                     POST   L     200   200   200   200   404   404   404   404   404   404   404   404
month_closure                     GET    L     405   405   405   405   405   405   405   405   405   405   405   405
month_closure                     POST   L     404   404   404   404   404   302   404   302   404   404   404   404
submission_detail:county_sent     GET    L     200   200   404   404   200   200   404   200   404   404   404   404
submission_detail:county_sent     POST   L     405   405   405   405   405   405   405   405   405   405   405   405
submission_detail:county_draft    GET    L     200   404   404   404   200   200   404   200   404   404   404   404
submission_detail:lead_sent       GET    L     404   200   404   404   200   200   404   200   404   404   404   404
submission_detail:other_sent      GET    L     404   404   200   404   200   200   404   200   404   404   404   404
submission_detail:cttee_sent      GET    L     404   404   404   200   200   200   404   200   404   404   404   404
submission_review:county_sent     GET    L     405   405   405   405   405   405   405   405   405   405   405   405
submission_review:county_sent     POST   L     404   302   404   404   404   404   404   404   404   404   404   404
submission_review:county_draft    POST   L     404   404   404   404   404   404   404   404   404   404   404   404
submission_review:lead_sent       POST   L     404   404   404   404   404   302   404   302   404   404   404   404
submission_review:other_sent      POST   L     404   404   404   404   404   302   404   302   404   404   404   404
submission_reopen:county_approved GET    L     405   405   405   405   405   405   405   405   405   405   405   405
submission_reopen:county_approved POST   L     404   404   404   404   404   302   404   302   404   404   404   404
evidence_upload:county_sent       GET    L     405   405   405   405   405   405   405   405   405   405   405   405
evidence_upload:county_sent       POST   L     302   404   404   404   404   404   404   404   404   404   404   404
evidence_upload:lead_sent         POST   L     404   302   404   404   404   404   404   404   404   404   404   404
evidence_file:county              GET    L     200   200   404   404   200   200   404   200   404   404   404   404
evidence_file:county              POST   L     405   405   405   405   405   405   405   405   405   405   405   405
evidence_file:lead                GET    L     404   200   404   404   200   200   404   200   404   404   404   404
evidence_delete:county            GET    L     405   405   405   405   405   405   405   405   405   405   405   405
evidence_delete:county            POST   L     302   404   404   404   404   404   404   404   404   404   404   404
evidence_delete:lead              POST   L     404   302   404   404   404   404   404   404   404   404   404   404
# Everyone who may read it is sent to the reporting month (?month=), a reviewer to what waits there.
review_list                       GET    L     404   302   302   404   302   302   404   302   404   404   404   404
review_list                       POST   L     405   405   405   405   405   405   405   405   405   405   405   405
review_export                     GET    L     404   200   200   404   200   200   404   200   404   404   404   404
review_export                     POST   L     405   405   405   405   405   405   405   405   405   405   405   405
# The supervision loop. The county's notice is answered (the office verifies it); the company's is
# issued (it signs for it and answers it). A leader's instruction on 2.1.1 (of the leader's
# portfolio) names the county and the company; the company's reply is answered. The lead department
# has a close-out applied for (2.3.1) and one closed out (2.3.3); it may apply for 2.3.2, whose
# target is not met (the form says so: 200). A step a page cannot take is refused on the page (200).
sv_notices                        GET    L     200   200   200   200   200   200   404   200   404   404   404   404
sv_notices                        POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_notices:export                 GET    L     200   200   200   200   200   200   404   200   404   404   404   404
sv_instructions                   GET    L     200   200   200   200   200   200   404   200   404   404   404   404
sv_instructions                   POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_closeouts                      GET    L     200   200   200   200   200   200   404   200   404   404   404   404
sv_closeouts                      POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_notice:county                  GET    L     200   200   404   404   200   200   404   200   404   404   404   404
sv_notice:county                  POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_notice:other                   GET    L     404   404   200   404   200   200   404   200   404   404   404   404
sv_notice_acknowledge:other       GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_notice_acknowledge:other       POST   L     404   404   302   404   404   404   404   404   404   404   404   404
sv_notice_answer:other            GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_notice_answer:other            POST   L     404   404   302   404   404   404   404   404   404   404   404   404
sv_notice_answer:county           POST   L     200   404   404   404   404   404   404   404   404   404   404   404
sv_notice_verify:county           GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_notice_verify:county           POST   L     404   404   404   404   404   302   404   302   404   404   404   404
sv_notice_verify:other            POST   L     404   404   404   404   404   200   404   200   404   404   404   404
sv_instruction_new                GET    L     404   404   404   404   200   404   404   404   404   404   404   404
sv_instruction_new                POST   L     404   404   404   404   302   404   404   404   404   404   404   404
sv_instruction_new:project1       GET    L     404   404   404   404   404   404   404   404   404   404   404   404
sv_instruction                    GET    L     200   404   200   404   200   200   404   200   404   404   404   404
sv_instruction                    POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_reply_acknowledge:county       GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_reply_acknowledge:county       POST   L     302   404   404   404   404   404   404   404   404   404   404   404
sv_reply_answer:county            GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_reply_answer:county            POST   L     302   404   404   404   404   404   404   404   404   404   404   404
sv_reply_verify:other             GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_reply_verify:other             POST   L     404   404   404   404   404   302   404   302   404   404   404   404
sv_closeout_apply                 GET    L     404   200   404   404   404   404   404   404   404   404   404   404
sv_closeout_apply                 POST   L     404   200   404   404   404   404   404   404   404   404   404   404
sv_closeout:applied               GET    L     404   200   404   404   200   200   404   200   404   404   404   404
sv_closeout:applied               POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_closeout_decide:applied        GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_closeout_decide:applied        POST   L     404   404   404   404   404   302   404   302   404   404   404   404
sv_closeout_reopen:closed         GET    L     405   405   405   405   405   405   405   405   405   405   405   405
sv_closeout_reopen:closed         POST   L     404   404   404   404   404   302   404   302   404   404   404   404
sv_closeout_list:xlsx             GET    L     404   404   404   404   200   200   404   200   404   404   404   404
sv_closeout_list:xlsx             POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_closeout_list:pdf              GET    L     404   404   404   404   404   404   404   404   404   404   404   404
sv_file:answer                    GET    L     200   200   404   404   200   200   404   200   404   404   404   404
sv_file:answer                    POST   L     405   405   405   405   405   405   405   405   405   405   405   405
sv_file:closeout                  GET    L     404   200   404   404   200   200   404   200   404   404   404   404
# The office's plan pages (and the break-glass superuser's): nobody else sees that they exist. A POST
# with nothing in it is a form shown again with its problems (200) or sent back to the plan (302).
plan_list                         GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_list                         POST   L     405   405   405   405   405   405   405   405   405   405   405   405
plan_detail                       GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_detail                       POST   L     404   404   404   404   404   200   404   200   404   404   404   404
plan_group                        GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_group                        POST   L     404   404   404   404   404   200   404   200   404   404   404   404
plan_task                         GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_task                         POST   L     404   404   404   404   404   200   404   200   404   404   404   404
plan_indicator                    GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_indicator                    POST   L     404   404   404   404   404   200   404   200   404   404   404   404
plan_file                         GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_file                         POST   L     404   404   404   404   404   302   404   302   404   404   404   404
plan_copy                         GET    L     404   404   404   404   404   200   404   200   404   404   404   404
plan_copy                         POST   L     404   404   404   404   404   200   404   200   404   404   404   404
plan_confirm_targets              GET    L     405   405   405   405   405   405   405   405   405   405   405   405
plan_confirm_targets              POST   L     404   404   404   404   404   302   404   302   404   404   404   404
# The audit trail: its administrator's (and the break-glass superuser's); the office is audited, it does not audit.
audit_list                        GET    L     404   404   404   404   404   404   404   200   404   404   200   404
audit_list                        POST   L     405   405   405   405   405   405   405   405   405   405   405   405
audit_list:export                 GET    L     404   404   404   404   404   404   404   200   404   404   200   404
audit_purge                       GET    L     405   405   405   405   405   405   405   405   405   405   405   405
audit_purge                       POST   L     404   404   404   404   404   404   404   302   404   404   302   404
# The people's side (projects/people). Public pages: anyone, no login (a POST to a page that only
# reads is 405; the proposal form thanks everyone). The office's pages: the office and the superuser.
people:public                     GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:public                     POST   405   405   405   405   405   405   405   405   405   405   405   405   405
people:public_plan                GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:public_plan                POST   405   405   405   405   405   405   405   405   405   405   405   405   405
people:public_photo               GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:public_photo               POST   405   405   405   405   405   405   405   405   405   405   405   405   405
people:public_photo:unpublished   GET    404   404   404   404   404   404   404   404   404   404   404   404   404
people:public_feed                GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:public_feed                POST   405   405   405   405   405   405   405   405   405   405   405   405   405
people:public_vote:closed         GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:public_vote:closed         POST   405   405   405   405   405   405   405   405   405   405   405   405   405
people:public_vote:open           GET    404   404   404   404   404   404   404   404   404   404   404   404   404
people:proposal_new               GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:proposal_new               POST   302   302   302   302   302   302   302   302   302   302   302   302   302
people:proposal_thanks            GET    200   200   200   200   200   200   200   200   200   200   200   200   200
people:proposal_thanks            POST   405   405   405   405   405   405   405   405   405   405   405   405   405
people:office                     GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:office                     POST   L     404   404   404   404   404   405   404   405   404   404   404   404
people:plan_publish               GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:plan_publish               POST   L     404   404   404   404   404   302   404   302   404   404   404   404
people:photos                     GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:photos                     POST   L     404   404   404   404   404   405   404   405   404   404   404   404
people:photo_publish              GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:photo_publish              POST   L     404   404   404   404   404   302   404   302   404   404   404   404
people:photo_unpublish            GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:photo_unpublish            POST   L     404   404   404   404   404   302   404   302   404   404   404   404
people:proposals                  GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:proposals                  POST   L     404   404   404   404   404   405   404   405   404   404   404   404
people:proposal_moderate          GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:proposal_moderate          POST   L     404   404   404   404   404   302   404   302   404   404   404   404
people:vote_new                   GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:vote_new                   POST   L     404   404   404   404   404   302   404   302   404   404   404   404
people:vote_office                GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:vote_office                POST   L     404   404   404   404   404   405   404   405   404   404   404   404
people:vote_live                  GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:vote_live                  POST   L     404   404   404   404   404   405   404   405   404   404   404   404
# Candidates only before the vote opens: on the open vote the page says so (200, nothing saved).
people:candidate_new              GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:candidate_new              POST   L     404   404   404   404   404   200   404   200   404   404   404   404
people:vote_plan:closed           GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:vote_plan:closed           POST   L     404   404   404   404   404   405   404   405   404   404   404   404
people:rating_new                 GET    L     404   404   404   404   404   405   404   405   404   404   404   404
people:rating_new                 POST   L     404   404   404   404   404   302   404   302   404   404   404   404
people:rating_office              GET    L     404   404   404   404   404   200   404   200   404   404   404   404
people:rating_office              POST   L     404   404   404   404   404   405   404   405   404   404   404   404
# The report once the rating has closed: on the open one, back to its page.
people:rating_report:open         GET    L     404   404   404   404   404   302   404   302   404   404   404   404
people:rating_report:open         POST   L     404   404   404   404   404   405   404   405   404   404   404   404
# Deputies' pages: the deputy's alone (a deputy reads figures, never writes one: no reporting row
# above answers it but with a refusal).
people:deputy                     GET    L     404   404   404   404   404   404   404   404   404   404   404   200
people:deputy                     POST   L     404   404   404   404   404   404   404   404   404   404   404   405
people:progress                   GET    L     404   404   404   404   404   404   404   404   404   404   404   200
people:progress                   POST   L     404   404   404   404   404   404   404   404   404   404   404   405
people:ballot                     GET    L     404   404   404   404   404   404   404   404   404   404   404   200
people:ballot                     POST   L     404   404   404   404   404   404   404   404   404   404   404   200
people:rating_ballot              GET    L     404   404   404   404   404   404   404   404   404   404   404   200
people:rating_ballot              POST   L     404   404   404   404   404   404   404   404   404   404   404   200
people:inspection_new             GET    L     404   404   404   404   404   404   404   404   404   404   404   200
people:inspection_new             POST   L     404   404   404   404   404   404   404   404   404   404   404   200
# An inspection's photo: its deputy, the office, the lead unit its suggestion went to.
people:inspection_photo           GET    L     404   200   404   404   404   200   404   200   404   404   404   200
people:inspection_photo           POST   L     405   405   405   405   405   405   405   405   405   405   405   405
people:suggestion_new             GET    L     404   404   404   404   404   404   404   404   404   404   404   200
people:suggestion_new             POST   L     404   404   404   404   404   404   404   404   404   404   404   200
# Suggestions: a unit its own (to answer), the deputy theirs, the office all of them.
people:suggestions                GET    L     200   200   200   200   404   200   404   200   404   404   404   200
people:suggestions                POST   L     405   405   405   405   405   405   405   405   405   405   405   405
people:suggestion_detail          GET    L     404   200   404   404   404   200   404   200   404   404   404   200
people:suggestion_detail          POST   L     404   302   404   404   404   404   404   404   404   404   404   404
# The API is for systems: a person's session opens none of it (its clients: test_api_permission_matrix.py).
api                               GET    401   401   401   401   401   401   401   401   401   401   401   401   401
api                               POST   401   401   401   401   401   401   401   401   401   401   401   401   401
# The API's clients are the system administrator's (and the break-glass superuser's).
admin_api_clients                 GET    A     A     A     A     A     A     403   403   200   200   403   403   A
admin_api_clients                 POST   A     A     A     A     A     A     403   403   200   200   403   403   A
"""

REFUSALS = {"L", "A", "403", "404", "405"}


@dataclass(frozen=True)
class Case:
    """How to ask for one row: the URL pattern it exercises, its address, what a POST carries."""

    url_name: str
    url: Callable[[World], str]
    data: Callable[[World], dict] = lambda w: {}


def _sub(key: str) -> Callable[[World], int]:
    return lambda w: w.submissions[key].pk


def _figure(key: str, value: str) -> Callable[[World], dict]:
    return lambda w: {"version": w.submissions[key].version, "value": value, "action": "submit"}


def _png(name: str) -> Callable[[World], dict]:
    return lambda w: {"file": SimpleUploadedFile(name, PNG + name.encode(), content_type="image/png")}


def _group(w: World) -> list[int]:
    """The 2022 plan and a unit group of it (the plan names none: one is made for the test)."""
    plan_id = indicator("2.1.1").task.project.plan_id
    group, _created = UnitGroup.objects.get_or_create(plan_id=plan_id, name="测试单位组")
    return [plan_id, group.pk]


def _month_of(code: str, month: str = f"{JUNE:%Y-%m}") -> Callable[[World], str]:
    return lambda w: reverse("report_edit", args=[month, indicator(code).pk])


CASES: dict[str, Case] = {
    "api": Case("api:plans", lambda w: reverse("api:plans")),
    "admin_api_clients": Case(
        "admin:projects_apiclient_changelist", lambda w: reverse("admin:projects_apiclient_changelist")
    ),
    "audit_list": Case("audit_list", lambda w: reverse("audit_list")),
    "audit_list:export": Case("audit_list", lambda w: reverse("audit_list") + "?action=auth.login&_export=csv"),
    "audit_purge": Case("audit_purge", lambda w: reverse("audit_purge"), lambda w: {"before": "2000-01-01"}),
    "home": Case("home", lambda w: reverse("home")),
    "set_language": Case("set_language", lambda w: reverse("set_language"), lambda w: {"language": "zh-hans"}),
    "login": Case(
        "login",
        lambda w: reverse("login"),
        lambda w: {"login_view-current_step": "auth", "auth-username": "nobody", "auth-password": "wrong-Pass-1"},
    ),
    "logout": Case("logout", lambda w: reverse("logout")),
    "password_change": Case("password_change", lambda w: reverse("password_change")),
    "password_change_done": Case("password_change_done", lambda w: reverse("password_change_done")),
    "password_reset": Case(
        "password_reset", lambda w: reverse("password_reset"), lambda w: {"email": "nobody@example.org"}
    ),
    "password_reset_done": Case("password_reset_done", lambda w: reverse("password_reset_done")),
    "password_reset_confirm": Case(
        "password_reset_confirm",
        lambda w: reverse("password_reset_confirm", args=["MQ", "not-a-token"]),
        lambda w: {"new_password1": "Xin-Mima-2022-a", "new_password2": "Xin-Mima-2022-a"},
    ),
    "password_reset_complete": Case("password_reset_complete", lambda w: reverse("password_reset_complete")),
    "two_factor_login": Case(
        "two_factor:login",
        lambda w: reverse("two_factor:login"),
        lambda w: {"login_view-current_step": "auth", "auth-username": "nobody", "auth-password": "wrong-Pass-1"},
    ),
    **{
        f"two_factor_{name}": Case(f"two_factor:{name}", lambda w, n=name: reverse(f"two_factor:{n}"))
        for name in ("profile", "qr", "setup_complete", "backup_tokens", "disable")
    },
    "two_factor_setup": Case(
        "two_factor:setup", lambda w: reverse("two_factor:setup"), lambda w: {"setup_view-current_step": "welcome"}
    ),
    "admin_index": Case("admin:index", lambda w: reverse("admin:index")),
    "admin_alerts": Case("admin:projects_alert_changelist", lambda w: reverse("admin:projects_alert_changelist")),
    # The superuser's own record: an office clerk who could edit it could take over the account.
    "admin_change_superuser": Case(
        "admin:projects_user_change", lambda w: reverse("admin:projects_user_change", args=[w.users["super"].pk])
    ),
    "overview": Case("overview", lambda w: reverse("overview")),
    "project_detail": Case(
        "project_detail", lambda w: reverse("project_detail", args=[indicator("2.1.1").task.project_id])
    ),
    "task_detail:lead": Case("task_detail", lambda w: reverse("task_detail", args=[indicator("2.1.1").task_id])),
    "task_detail:other": Case("task_detail", lambda w: reverse("task_detail", args=[indicator("10.4.1").task_id])),
    "indicator_detail:lead": Case(
        "indicator_detail", lambda w: reverse("indicator_detail", args=[indicator("2.1.1").pk])
    ),
    "indicator_detail:other": Case(
        "indicator_detail", lambda w: reverse("indicator_detail", args=[indicator("10.4.1").pk])
    ),
    "county_view": Case("county_view", lambda w: reverse("county_view")),
    "unit_detail:county": Case("unit_detail", lambda w: reverse("unit_detail", args=[w.units["county"].pk])),
    "unit_detail:lead": Case("unit_detail", lambda w: reverse("unit_detail", args=[w.units["lead"].pk])),
    "lagging_list": Case("lagging_list", lambda w: reverse("lagging_list")),
    "overdue_list": Case("overdue_list", lambda w: reverse("overdue_list")),
    "missing_list": Case("missing_list", lambda w: reverse("missing_list")),
    "alert_list": Case("alert_list", lambda w: reverse("alert_list")),
    "alert_list:county": Case("alert_list", lambda w: reverse("alert_list") + f"?unit={w.units['county'].pk}"),
    "bulletin:xlsx": Case("bulletin_download", lambda w: reverse("bulletin_download", args=["xlsx"])),
    "bulletin:pdf": Case("bulletin_download", lambda w: reverse("bulletin_download", args=["pdf"])),
    "inbox": Case("inbox", lambda w: reverse("inbox")),
    "inbox_read_all": Case("inbox_read_all", lambda w: reverse("inbox_read_all")),
    "message_read:county": Case("message_read", lambda w: reverse("message_read", args=[w.messages["county"].pk])),
    "message_read:lead": Case("message_read", lambda w: reverse("message_read", args=[w.messages["lead"].pk])),
    "message_acknowledge:county": Case(
        "message_acknowledge", lambda w: reverse("message_acknowledge", args=[w.messages["county"].pk])
    ),
    "message_acknowledge:lead": Case(
        "message_acknowledge", lambda w: reverse("message_acknowledge", args=[w.messages["lead"].pk])
    ),
    "message_open:county": Case("message_open", lambda w: reverse("message_open", args=[w.messages["county"].pk])),
    "message_open:lead": Case("message_open", lambda w: reverse("message_open", args=[w.messages["lead"].pk])),
    "todo": Case("todo", lambda w: reverse("todo")),
    "todo:county": Case("todo", lambda w: reverse("todo") + f"?unit={w.units['county'].pk}"),
    "todo_submit": Case(
        "todo_submit",
        lambda w: reverse("todo_submit"),
        lambda w: {"pick": [f"{s.pk}:{s.version}" for s in w.submissions.values()]},
    ),
    "review_queue": Case("review_queue", lambda w: reverse("review_queue")),
    "review_queue_approve": Case(
        "review_queue_approve",
        lambda w: reverse("review_queue_approve"),
        lambda w: {"pick": [f"{s.pk}:{s.version}" for s in w.submissions.values()], "query": ""},
    ),
    "search": Case("search", lambda w: reverse("search") + "?q=2.1"),
    "notice_detail:county": Case("notice_detail", lambda w: reverse("notice_detail", args=[w.notices["county"].pk])),
    "report_index": Case("report_index", lambda w: reverse("report_index")),
    "report_month:own": Case("report_month", lambda w: reverse("report_month", args=[JUNE])),
    "report_month:county": Case(
        "report_month", lambda w: reverse("report_month", args=[JUNE]) + f"?unit={w.units['county'].pk}"
    ),
    "report_month:no_such_month": Case(
        "report_month", lambda w: reverse("report_month", args=["2022-06"]).replace("06", "13")
    ),
    "report_edit:county": Case("report_edit", _month_of("2.1.1"), _figure("county_sent", "4")),
    "report_edit:lead": Case("report_edit", _month_of("2.3.1"), _figure("lead_sent", "2")),
    "report_edit:county_before_plan": Case("report_edit", _month_of("2.1.1", "2021-06")),
    "report_template:own": Case("report_template", lambda w: reverse("report_template", args=[JUNE])),
    "report_template:county": Case(
        "report_template", lambda w: reverse("report_template", args=[JUNE]) + f"?unit={w.units['county'].pk}"
    ),
    "report_import": Case("report_import", lambda w: reverse("report_import", args=[JUNE])),
    "month_closure": Case(
        "month_closure",
        lambda w: reverse("month_closure", args=[JUNE]),
        lambda w: {"plan": indicator("2.1.1").task.project.plan_id, "action": "close"},
    ),
    **{
        f"submission_detail:{key}": Case(
            "submission_detail", lambda w, k=key: reverse("submission_detail", args=[_sub(k)(w)])
        )
        for key in ("county_sent", "county_draft", "lead_sent", "other_sent", "cttee_sent")
    },
    **{
        f"submission_review:{key}": Case(
            "submission_review",
            lambda w, k=key: reverse("submission_review", args=[_sub(k)(w)]),
            lambda w, k=key: {"version": w.submissions[k].version, "action": "approve"},
        )
        for key in ("county_sent", "county_draft", "lead_sent", "other_sent")
    },
    "submission_reopen:county_approved": Case(
        "submission_reopen",
        lambda w: reverse("submission_reopen", args=[_sub("county_approved")(w)]),
        lambda w: {"version": w.submissions["county_approved"].version, "reason": "核实数据"},
    ),
    "evidence_upload:county_sent": Case(
        "evidence_upload", lambda w: reverse("evidence_upload", args=[_sub("county_sent")(w)]), _png("补充.png")
    ),
    "evidence_upload:lead_sent": Case(
        "evidence_upload", lambda w: reverse("evidence_upload", args=[_sub("lead_sent")(w)]), _png("补充.png")
    ),
    "evidence_file:county": Case("evidence_file", lambda w: reverse("evidence_file", args=[w.evidence["county"].pk])),
    "evidence_file:lead": Case("evidence_file", lambda w: reverse("evidence_file", args=[w.evidence["lead"].pk])),
    "evidence_delete:county": Case(
        "evidence_delete", lambda w: reverse("evidence_delete", args=[w.evidence["county"].pk])
    ),
    "evidence_delete:lead": Case("evidence_delete", lambda w: reverse("evidence_delete", args=[w.evidence["lead"].pk])),
    # The supervision loop.
    "sv_notices": Case("supervision:notices", lambda w: reverse("supervision:notices")),
    "sv_notices:export": Case("supervision:notices", lambda w: reverse("supervision:notices") + "?_export=xlsx"),
    "sv_instructions": Case("supervision:instructions", lambda w: reverse("supervision:instructions")),
    "sv_closeouts": Case("supervision:closeouts", lambda w: reverse("supervision:closeouts")),
    **{
        f"sv_notice:{key}": Case(
            "supervision:notice", lambda w, k=key: reverse("supervision:notice", args=[w.notices[k].pk])
        )
        for key in ("county", "other")
    },
    "sv_notice_acknowledge:other": Case(
        "supervision:notice_acknowledge",
        lambda w: reverse("supervision:notice_acknowledge", args=[w.notices["other"].pk]),
        lambda w: {"version": w.notices["other"].version},
    ),
    **{
        f"sv_notice_answer:{key}": Case(
            "supervision:notice_answer",
            lambda w, k=key: reverse("supervision:notice_answer", args=[w.notices[k].pk]),
            lambda w, k=key: {"version": w.notices[k].version, "text": "已整改到位"},
        )
        for key in ("county", "other")
    },
    **{
        f"sv_notice_verify:{key}": Case(
            "supervision:notice_verify",
            lambda w, k=key: reverse("supervision:notice_verify", args=[w.notices[k].pk]),
            lambda w, k=key: {"version": w.notices[k].version, "action": "accept"},
        )
        for key in ("county", "other")
    },
    "sv_instruction_new": Case(
        "supervision:instruction_new",
        lambda w: reverse("supervision:instruction_new") + f"?on=indicator&id={indicator('2.1.1').pk}",
        lambda w: {
            "on": "indicator",
            "id": indicator("2.1.1").pk,
            "text": "加快推进",
            "units": [w.units["county"].pk],
            "deadline": "2022-07-30",
        },
    ),
    "sv_instruction_new:project1": Case(
        "supervision:instruction_new",
        lambda w: reverse("supervision:instruction_new") + f"?on=project&id={indicator('1.1.1').task.project_id}",
    ),
    "sv_instruction": Case(
        "supervision:instruction", lambda w: reverse("supervision:instruction", args=[w.instruction.pk])
    ),
    "sv_reply_acknowledge:county": Case(
        "supervision:reply_acknowledge",
        lambda w: reverse("supervision:reply_acknowledge", args=[w.replies["county"].pk]),
        lambda w: {"version": w.replies["county"].version},
    ),
    "sv_reply_answer:county": Case(
        "supervision:reply_answer",
        lambda w: reverse("supervision:reply_answer", args=[w.replies["county"].pk]),
        lambda w: {"version": w.replies["county"].version, "text": "已落实"},
    ),
    "sv_reply_verify:other": Case(
        "supervision:reply_verify",
        lambda w: reverse("supervision:reply_verify", args=[w.replies["other"].pk]),
        lambda w: {"version": w.replies["other"].version, "action": "accept"},
    ),
    "sv_closeout_apply": Case(
        "supervision:closeout_apply",
        lambda w: reverse("supervision:closeout_apply", args=[indicator("2.3.2").pk]),
        lambda w: {"note": "已完成"},
    ),
    "sv_closeout:applied": Case(
        "supervision:closeout", lambda w: reverse("supervision:closeout", args=[w.closeouts["applied"].pk])
    ),
    "sv_closeout_decide:applied": Case(
        "supervision:closeout_decide",
        lambda w: reverse("supervision:closeout_decide", args=[w.closeouts["applied"].pk]),
        lambda w: {"version": w.closeouts["applied"].version, "action": "approve"},
    ),
    "sv_closeout_reopen:closed": Case(
        "supervision:closeout_reopen",
        lambda w: reverse("supervision:closeout_reopen", args=[w.closeouts["closed"].pk]),
        lambda w: {"version": w.closeouts["closed"].version, "reason": "复核发现问题"},
    ),
    **{
        f"sv_closeout_list:{fmt}": Case(
            "supervision:closeout_list", lambda w, f=fmt: reverse("supervision:closeout_list", args=[f])
        )
        for fmt in ("xlsx", "pdf")
    },
    **{
        f"sv_file:{key}": Case("supervision:file", lambda w, k=key: reverse("supervision:file", args=[w.files[k].pk]))
        for key in ("answer", "closeout")
    },
    "plan_list": Case("plan_list", lambda w: reverse("plan_list")),
    **{
        name: Case(name, lambda w, n=name: reverse(n, args=[indicator("2.1.1").task.project.plan_id]))
        for name in ("plan_detail", "plan_file", "plan_copy", "plan_confirm_targets")
    },
    "plan_group": Case("plan_group", lambda w: reverse("plan_group", args=_group(w))),
    "plan_task": Case(
        "plan_task",
        lambda w: reverse("plan_task", args=[indicator("2.1.1").task.project.plan_id, indicator("2.1.1").task_id]),
    ),
    "plan_indicator": Case(
        "plan_indicator",
        lambda w: reverse("plan_indicator", args=[indicator("2.1.1").task.project.plan_id, indicator("2.1.1").pk]),
    ),
    "review_list": Case("review_list", lambda w: reverse("review_list")),
    "review_export": Case("review_export", lambda w: reverse("review_export")),
    # The people's side.
    "people:public": Case("people:public", lambda w: reverse("people:public")),
    "people:public_plan": Case(
        "people:public_plan", lambda w: reverse("people:public_plan", args=[w.people["plan"].pk])
    ),
    "people:public_photo": Case(
        "people:public_photo", lambda w: reverse("people:public_photo", args=[w.people["public_photo"].pk])
    ),
    "people:public_photo:unpublished": Case(
        "people:public_photo", lambda w: reverse("people:public_photo", args=[w.people["public_photo"].pk + 1000])
    ),
    "people:public_feed": Case("people:public_feed", lambda w: reverse("people:public_feed")),
    "people:public_vote:closed": Case(
        "people:public_vote", lambda w: reverse("people:public_vote", args=[w.people["closed_vote"].pk])
    ),
    "people:public_vote:open": Case(
        "people:public_vote", lambda w: reverse("people:public_vote", args=[w.people["open_vote"].pk])
    ),
    "people:proposal_new": Case(
        "people:proposal_new", lambda w: reverse("people:proposal_new"), lambda w: {"title": "建议", "body": "内容"}
    ),
    "people:proposal_thanks": Case("people:proposal_thanks", lambda w: reverse("people:proposal_thanks")),
    "people:office": Case("people:office", lambda w: reverse("people:office")),
    "people:plan_publish": Case(
        "people:plan_publish",
        lambda w: reverse("people:plan_publish", args=[w.people["plan"].pk]),
        lambda w: {"action": "unpublish"},
    ),
    "people:photos": Case("people:photos", lambda w: reverse("people:photos", args=[w.people["plan"].pk])),
    "people:photo_publish": Case(
        "people:photo_publish",
        lambda w: reverse("people:photo_publish", args=[w.people["photo"].pk]),
        lambda w: {"caption": "新说明"},
    ),
    "people:photo_unpublish": Case(
        "people:photo_unpublish", lambda w: reverse("people:photo_unpublish", args=[w.people["public_photo"].pk])
    ),
    "people:proposals": Case("people:proposals", lambda w: reverse("people:proposals")),
    "people:proposal_moderate": Case(
        "people:proposal_moderate",
        lambda w: reverse("people:proposal_moderate", args=[w.people["proposal"].pk]),
        lambda w: {"status": "declined", "note": "重复"},
    ),
    "people:vote_new": Case("people:vote_new", lambda w: reverse("people:vote_new")),
    "people:vote_office": Case(
        "people:vote_office", lambda w: reverse("people:vote_office", args=[w.people["open_vote"].pk])
    ),
    "people:vote_live": Case(
        "people:vote_live", lambda w: reverse("people:vote_live", args=[w.people["open_vote"].pk])
    ),
    "people:candidate_new": Case(
        "people:candidate_new", lambda w: reverse("people:candidate_new", args=[w.people["open_vote"].pk])
    ),
    "people:vote_plan:closed": Case(
        "people:vote_plan", lambda w: reverse("people:vote_plan", args=[w.people["closed_vote"].pk])
    ),
    "people:rating_new": Case("people:rating_new", lambda w: reverse("people:rating_new")),
    "people:rating_office": Case(
        "people:rating_office", lambda w: reverse("people:rating_office", args=[w.people["rating"].pk])
    ),
    "people:rating_report:open": Case(
        "people:rating_report", lambda w: reverse("people:rating_report", args=[w.people["rating"].pk])
    ),
    "people:deputy": Case("people:deputy", lambda w: reverse("people:deputy")),
    "people:progress": Case("people:progress", lambda w: reverse("people:progress")),
    "people:ballot": Case("people:ballot", lambda w: reverse("people:ballot", args=[w.people["open_vote"].pk])),
    "people:rating_ballot": Case(
        "people:rating_ballot", lambda w: reverse("people:rating_ballot", args=[w.people["rating"].pk])
    ),
    "people:inspection_new": Case("people:inspection_new", lambda w: reverse("people:inspection_new")),
    "people:inspection_photo": Case(
        "people:inspection_photo", lambda w: reverse("people:inspection_photo", args=[w.people["inspection_photo"].pk])
    ),
    "people:suggestion_new": Case("people:suggestion_new", lambda w: reverse("people:suggestion_new")),
    "people:suggestions": Case("people:suggestions", lambda w: reverse("people:suggestions")),
    "people:suggestion_detail": Case(
        "people:suggestion_detail",
        lambda w: reverse("people:suggestion_detail", args=[w.people["suggestion"].pk]),
        lambda w: {"version": w.people["suggestion"].version, "text": "已办理"},
    ),
}


def parse_table(text: str) -> dict[tuple[str, str], dict[str, str]]:
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in text.strip().splitlines():
        line = line.split("#", 1)[0]
        if not line.strip():
            continue
        case, method, *answers = line.split()
        assert len(answers) == len(ROLES), f"{case} {method}: {len(answers)} answers for {len(ROLES)} roles"
        assert (case, method) not in rows, f"{case} {method} twice in the table"
        rows[(case, method)] = dict(zip(ROLES, answers, strict=True))
    return rows


EXPECTED = parse_table(TABLE)


# --- the table against the URL configuration ---------------------------------------------------


def url_pattern_names(urlconf: str | None = None) -> set[str]:
    """Every URL pattern's name, with its namespace; the admin's as the one entry ``admin``."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None, route: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
                walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if namespace == "admin" or (namespace or "").startswith("admin:"):
                    names.add("admin")
                elif namespace == "api":
                    names.add("api")
                elif pattern.name is None:
                    names.add(f"<unnamed {route}{pattern.pattern}>")
                else:
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(urlconf).url_patterns, None, "")
    return names


def table_url_names() -> set[str]:
    return {_entry(CASES[case].url_name) for case, _m in EXPECTED}


def _entry(url_name: str) -> str:
    """The admin and the API each count as one entry of the URL configuration."""
    for prefix in ("admin", "api"):
        if url_name.startswith(f"{prefix}:"):
            return prefix
    return url_name


def rows_missing(urlconf: str | None = None) -> list[str]:
    return sorted(url_pattern_names(urlconf) - table_url_names())


def test_every_url_pattern_has_a_row():
    assert rows_missing() == [], "URL patterns without a row in the permission table: add them to TABLE"


def test_every_row_is_a_case_and_names_a_real_url_pattern():
    assert {case for case, _m in EXPECTED} == set(CASES)
    assert table_url_names() <= url_pattern_names()
    # GET and POST of every URL pattern.
    for method in ("GET", "POST"):
        covered = {CASES[case].url_name for case, m in EXPECTED if m == method}
        assert {CASES[c].url_name for c in CASES} <= covered, f"URL patterns never asked with {method}"


@pytest.mark.urls("tests.hardening.urls_with_a_new_page")
def test_a_new_url_pattern_without_a_row_is_caught():
    assert rows_missing() == ["new_page"]


# --- the requests -------------------------------------------------------------------------------


def state() -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "status", "value", "version", "reviewed_by")),
        list(Evidence.objects.order_by("pk").values_list("pk", "sha256")),
        list(MonthClosure.objects.values_list("plan", "month")),
        list(Message.objects.order_by("pk").values_list("pk", "read_at", "acknowledged_at")),
        list(SupervisionNotice.objects.order_by("pk").values_list("pk", "state", "version")),
        list(InstructionReply.objects.order_by("pk").values_list("pk", "state", "version")),
        list(Instruction.objects.order_by("pk").values_list("pk", "closed_at")),
        list(Answer.objects.order_by("pk").values_list("pk", "outcome")),
        list(CloseOut.objects.order_by("pk").values_list("pk", "state", "version")),
        list(SupervisionFile.objects.order_by("pk").values_list("pk", "sha256")),
        list(Indicator.objects.filter(closed_out_at__isnull=False).values_list("pk", flat=True)),
        list(User.objects.order_by("pk").values_list("pk", "password", "is_superuser", "is_staff", "role", "unit")),
        *people_state(),
    )


def people_state() -> tuple:
    from projects.people import models as pm

    return (
        list(pm.Publication.objects.values_list("plan", flat=True)),
        list(pm.PublicPhoto.objects.order_by("pk").values_list("pk", "caption")),
        list(pm.Proposal.objects.order_by("pk").values_list("pk", "status")),
        list(pm.Candidate.objects.order_by("pk").values_list("pk", "votes")),
        list(pm.VoteCast.objects.values_list("vote", "deputy")),
        list(pm.Vote.objects.values_list("pk")),
        list(pm.Rating.objects.values_list("pk")),
        list(pm.RatingTally.objects.order_by("pk").values_list("satisfied", "basically", "unsatisfied")),
        list(pm.Suggestion.objects.order_by("pk").values_list("pk", "state", "version")),
        list(pm.Inspection.objects.values_list("pk")),
    )


def outcome(response) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return "A"
    if location.startswith(reverse("login")):
        return "L"
    return "302"


def ask(client: Client, method: str, url: str, data: dict, *, watch: bool = True):
    """One request, rolled back afterwards; returns the response and whether the state moved
    (looked at when ``watch``)."""
    with transaction.atomic():
        before = state() if watch else None
        response = client.get(url) if method == "GET" else client.post(url, data)
        changed = watch and state() != before
        transaction.set_rollback(True)
    return response, changed


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(world, role):
    client = Client()
    user = world.users.get(role)
    wrong: list[str] = []
    for (case_name, method), answers in EXPECTED.items():
        case = CASES[case_name]
        if user is not None:
            client.force_login(user)  # again each time: a row may have logged out or switched language
        client.cookies.pop("django_language", None)
        url = case.url(world)
        expected = answers[role]
        # Refusals in the view (404, 403) are watched; a 405 or a login page never reaches it.
        watch = expected in ("403", "404")
        response, changed = ask(client, method, url, case.data(world) if method == "POST" else {}, watch=watch)
        got = outcome(response)
        if got != expected:
            wrong.append(f"{case_name:34} {method:4} expected {expected:3} got {got} ({url})")
        elif expected in REFUSALS and changed:
            wrong.append(f"{case_name:34} {method:4} refused but the database changed ({url})")
    assert wrong == [], f"as {role}:\n" + "\n".join(wrong)
