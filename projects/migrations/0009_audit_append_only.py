"""PostgreSQL refuses to change or delete audit records, whoever asks (docs/security.md).

UPDATE is refused always. DELETE only by the purge (projects.audit.services.audit_purge), which
names its boundary in a transaction-local setting, and only for records older than both that
boundary and 180 days by the database's own clock. TRUNCATE is refused unless the session says
``tracker.audit_allow_truncate=on`` (only the test settings do, so that the test runner can
empty its own database). Someone who owns the table can still disable the triggers: the keyed
hash chain (``manage.py verify_audit``) is what finds what they changed.

SQLite has no such triggers: there, the application alone keeps the records append-only."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION projects_auditrecord_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purge_before text := current_setting('tracker.audit_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(purge_before, '') <> ''
       AND OLD.at < purge_before::timestamptz
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % of audit record % refused', TG_OP, OLD.seq
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION projects_auditrecord_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('tracker.audit_allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER projects_auditrecord_append_only
    BEFORE UPDATE OR DELETE ON projects_auditrecord
    FOR EACH ROW EXECUTE FUNCTION projects_auditrecord_refuse_change();

CREATE TRIGGER projects_auditrecord_no_truncate
    BEFORE TRUNCATE ON projects_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION projects_auditrecord_refuse_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS projects_auditrecord_no_truncate ON projects_auditrecord;
DROP TRIGGER IF EXISTS projects_auditrecord_append_only ON projects_auditrecord;
DROP FUNCTION IF EXISTS projects_auditrecord_refuse_truncate();
DROP FUNCTION IF EXISTS projects_auditrecord_refuse_change();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_audit_trail")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False)]
