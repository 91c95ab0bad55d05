"""The audit trail (审计日志): who did what, when, from where, on what, with what result.

Every part of the tracker records through one function, ``projects.audit.services.audit_record``.
The records are append-only (the admin and the pages only read them; on PostgreSQL the database
refuses UPDATE and DELETE) and chained by a keyed hash, so that ``manage.py verify_audit`` finds a
record changed or removed outside the application.
"""
