"""The audit trail's table refuses changes on PostgreSQL; phone numbers and robot secrets are
encrypted at rest (issue 12, items 5 and 8; docs/security.md).

PostgreSQL: UPDATE of an audit record is refused always. DELETE only by the purge
(projects.audit.services.audit_purge), which names its boundary in a transaction-local setting,
and only for records older than both that boundary and 180 days by the database's own clock.
TRUNCATE is refused unless the session says ``tracker.audit_allow_truncate=on`` (only the test
settings do, so that the test runner can empty its own database). Someone who owns the table can
still disable the triggers: the keyed hash chain (``manage.py verify_audit``) is what finds what
they changed. SQLite has no such triggers: there, the application alone keeps the records
append-only.

Encryption: the columns become text holding Fernet tokens; the values already stored are
encrypted in place (and decrypted again if the migration is reversed)."""

import projects.encryption
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


# The columns encrypted at rest, and the values already in them to encrypt.
ENCRYPTED = [
    ("unit", ["phone"]),
    ("user", ["phone"]),
    ("historicaluser", ["phone"]),
    ("webhookendpoint", ["url", "secret"]),
]


def encrypt_existing(apps, schema_editor):
    """Read each value (a plain one reads as itself, an encrypted one decrypts) and write it back
    through the encrypted field: plain values become tokens; running twice changes nothing."""
    for name, columns in ENCRYPTED:
        model = apps.get_model("projects", name)
        for row in model.objects.values("pk", *columns).iterator(chunk_size=2000):
            values = {c: row[c] for c in columns if row[c]}
            if values:
                model.objects.filter(pk=row["pk"]).update(**values)


def decrypt_existing(apps, schema_editor):
    """Back to plain text, written around the field, before the columns turn plain again."""
    for name, columns in ENCRYPTED:
        model = apps.get_model("projects", name)
        table, pk = model._meta.db_table, model._meta.pk.column
        with schema_editor.connection.cursor() as cursor:
            for row in model.objects.values("pk", *columns).iterator(chunk_size=2000):
                for column in columns:
                    cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", [row[column], row["pk"]])


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_audit_trail")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
        migrations.AlterField(
            model_name='historicaluser',
            name='phone',
            field=projects.encryption.EncryptedCharField(blank=True, max_length=30, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='unit',
            name='phone',
            field=projects.encryption.EncryptedCharField(blank=True, max_length=30, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=projects.encryption.EncryptedCharField(blank=True, max_length=30, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=projects.encryption.EncryptedCharField(blank=True, help_text='钉钉机器人启用“加签”时填写（SEC 开头）', max_length=200, verbose_name='加签密钥'),
        ),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='url',
            field=projects.encryption.EncryptedURLField(help_text='机器人设置中复制的完整地址', max_length=500, verbose_name='Webhook 地址'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
