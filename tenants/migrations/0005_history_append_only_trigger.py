"""On PostgreSQL, a trigger makes ``tenant_state_history`` append-only: UPDATE and DELETE are refused.

The one exception is ``tenants.services.tenant_purge`` (``manage.py purge_tenant``), which sets
``tenantmgmt.allow_purge = 'on'`` for its own transaction (``set_config(..., true)`` = ``SET LOCAL``)
and may then DELETE (never UPDATE). Other databases (SQLite in development) get no trigger: there the
application's own rules (admin and API read-only, services append only) are the guard.
Reversible: migrating back drops the trigger and its function.
"""

from django.db import migrations

from tenants.migrations import _sql

FORWARD = """
CREATE OR REPLACE FUNCTION tenant_state_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('tenantmgmt.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'tenant_state_history is append-only: % of record % refused', TG_OP, OLD.id
        USING HINT = 'History is kept forever; manage.py purge_tenant removes an archived tenant.';
END;
$$;
CREATE TRIGGER tenant_state_history_append_only
    BEFORE UPDATE OR DELETE ON tenant_state_history
    FOR EACH ROW EXECUTE FUNCTION tenant_state_history_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS tenant_state_history_append_only ON tenant_state_history;
DROP FUNCTION IF EXISTS tenant_state_history_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0004_tenant_archived_at")]

    operations = [migrations.RunPython(_sql.on_postgresql(FORWARD), _sql.on_postgresql(BACKWARD), elidable=False)]
