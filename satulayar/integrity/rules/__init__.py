"""The integrity rules, one small module each. A rule module names itself (CODE, DOMAIN, TITLE), explains itself
in plain Indonesian (DESCRIPTION, shown on the page and in the README), lists its tunable thresholds (DEFAULTS,
PARAM_LABELS) and finds its signals: `detect(window, params) -> list[Signal]`, set-based over one city's days."""

from types import ModuleType

from satulayar.integrity.rules import (
    arrival_same_minute,
    attendance_after_sidak,
    camera_empty_desk,
    camera_no_tickets,
    frozen_position,
    geofence_edge,
    ikm_max_address,
    ikm_max_burst,
    impossible_travel,
    machine_burst,
    position_flagged,
    punch_on_leave,
    quick_tickets,
    shared_browser,
    sidak_proxy_repeat,
    still_position,
    tickets_before_closing,
)

RULES: dict[str, ModuleType] = {module.CODE: module for module in (
    arrival_same_minute, machine_burst, punch_on_leave, impossible_travel, frozen_position, still_position,
    position_flagged, shared_browser, geofence_edge, sidak_proxy_repeat, attendance_after_sidak, quick_tickets,
    tickets_before_closing, ikm_max_burst, ikm_max_address, camera_no_tickets, camera_empty_desk)}


def rule(code: str) -> ModuleType:
    return RULES[code]
