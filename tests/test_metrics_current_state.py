"""How long a tenant has been in its state: replica-only changes do not reset the clock."""

from datetime import UTC, datetime

import pytest
import time_machine

from metrics.selectors import tenant_current_state
from tenants.services import tenant_append_history

pytestmark = pytest.mark.django_db

STARTED = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def running_tenant(make_tenant):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        tenant = make_tenant("shop")
    return tenant_append_history(
        tenant=tenant, new_state="running", new_replicas=1, changed_at=STARTED, actor="alice", source="import"
    ).tenant


@time_machine.travel(datetime(2026, 1, 15, 20, 0, tzinfo=UTC), tick=False)
def test_a_rescale_keeps_the_time_since_the_tenant_started_running(running_tenant):
    rescaled = tenant_append_history(
        tenant=running_tenant,
        new_state="running",
        new_replicas=3,
        changed_at=datetime(2026, 1, 12, tzinfo=UTC),
        actor="bob",
        source="import",
    ).tenant

    state = tenant_current_state(rescaled)

    assert state.current_state == "running"
    assert state.state_since == STARTED
    assert state.duration_seconds == 5 * 86_400 + 12 * 3_600
    assert state.duration_formatted == "5d 12h"
    assert state.changed_by == "alice"
    assert state.replicas == 3


@time_machine.travel(datetime(2026, 1, 15, 20, 0, tzinfo=UTC), tick=False)
def test_a_state_change_resets_it(running_tenant):
    stopped_at = datetime(2026, 1, 15, 19, 58, 30, tzinfo=UTC)
    stopped = tenant_append_history(
        tenant=running_tenant, new_state="stopped", new_replicas=0, changed_at=stopped_at, actor="carol", source="ui"
    ).tenant

    state = tenant_current_state(stopped)

    assert (state.current_state, state.state_since, state.changed_by) == ("stopped", stopped_at, "carol")
    assert (state.duration_seconds, state.duration_formatted, state.replicas) == (90, "1m", 0)
