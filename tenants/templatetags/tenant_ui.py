"""Small display helpers for the tenant pages: a state's words and icon (colour is never alone)."""

from __future__ import annotations

from django import template

from tenants.states import State

register = template.Library()

STATE_ICONS = {State.RUNNING: "▲", State.STOPPED: "■", State.SCALING: "◐", State.UNKNOWN: "?"}


@register.filter
def state_label(state: str | None) -> str:
    """``"running"`` -> ``"Running"``; anything else -> ``"Unknown"``."""
    return State(state).label if state in State.values else State.UNKNOWN.label


@register.filter
def state_icon(state: str | None) -> str:
    return STATE_ICONS.get(state, STATE_ICONS[State.UNKNOWN])


@register.inclusion_tag("tenants/state_badge.html")
def state_badge(state: str | None) -> dict:
    """A coloured badge that also carries the state as an icon and a word."""
    known = state if state in State.values else State.UNKNOWN
    return {"state": known, "label": state_label(known), "icon": state_icon(known)}
