"""On PostgreSQL, schedule executions (audit records of each run) cannot be deleted.

DELETE is refused except during ``manage.py purge_tenant`` (``tenantmgmt.allow_purge = 'on'``, as
for ``tenant_state_history``, migration 0005). UPDATE stays allowed: a run fills in its outcome in
the transaction that inserted the row, and deleting a schedule sets its runs' ``schedule_id`` to
null (they are kept). No-op on other databases; reversible.
"""

from django.db import migrations

from tenants.migrations import _sql

FORWARD = """
CREATE OR REPLACE FUNCTION schedule_executions_keep_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tenantmgmt.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'schedule_executions are kept: DELETE of execution % refused', OLD.id
        USING HINT = 'manage.py purge_tenant removes an archived tenant with its runs.';
END;
$$;
CREATE TRIGGER schedule_executions_keep_rows
    BEFORE DELETE ON schedule_executions
    FOR EACH ROW EXECUTE FUNCTION schedule_executions_keep_rows();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS schedule_executions_keep_rows ON schedule_executions;
DROP FUNCTION IF EXISTS schedule_executions_keep_rows();
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_history_append_only_trigger")]

    operations = [migrations.RunPython(_sql.on_postgresql(FORWARD), _sql.on_postgresql(BACKWARD), elidable=False)]
