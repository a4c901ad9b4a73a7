"""The demo's later steps, one per domain app, run by `seed` after the city and its logins exist.

Each module listed may define:
  seed_demo(*, city, days, seed, end, progress) -> str   fills its part of the demo; returns a one-line summary
  demo_services() -> str | None                          starts what the demo serves beside the web server on
                                                         localhost (simulated cameras, department apps) in
                                                         daemon threads, and returns at once with one line
                                                         saying what runs
"""

import datetime as dt
import importlib
import time
from collections.abc import Callable

from satulayar.demo.generator import indonesian_number

DEMO_MODULES = (
    "satulayar.demo.visits",
    "satulayar.demo.inspections",
    "satulayar.demo.cctv",
    "satulayar.demo.integrations",
    "satulayar.demo.alerts",
    "satulayar.demo.integrity",  # planted integrity cases on top of the history, sidak, desks and cameras
    "satulayar.demo.pull_machines",  # two older machines without push, read by the server over TCP
    "satulayar.demo.leave_waiting",  # requests still open on the first day, for the approval pages
    "satulayar.demo.live",  # last: today, live, on top of everything the others seeded
)


def _modules():
    return [importlib.import_module(name) for name in DEMO_MODULES]


def extras_seed(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> list[str]:
    lines = []
    for module in _modules():
        if hasattr(module, "seed_demo"):
            started = time.monotonic()
            line = module.seed_demo(city=city, days=days, seed=seed, end=end, progress=progress)
            line += f" ({indonesian_number(time.monotonic() - started, 1)} detik)"
            progress(line)
            lines.append(line)
    return lines


def demo_services_start(*, say: Callable[[str], None] = lambda line: None) -> None:
    """Start each module's services; `say` gets one line for each (its summary, or its first docstring line)."""
    for module in _modules():
        if hasattr(module, "demo_services"):
            line = module.demo_services()
            say(line or (module.demo_services.__doc__ or module.__name__).strip().splitlines()[0])
