"""The demo's later steps, one per domain app, run by `seed` after the city and its logins exist.

Each module listed may define:
  seed_demo(*, city, days, seed, end, progress) -> str   fills its part of the demo; returns a one-line summary
  demo_services() -> None                                starts what the demo serves beside the web server on
                                                         localhost (simulated cameras, department apps) in
                                                         daemon threads, and returns at once
"""

import datetime as dt
import importlib
from collections.abc import Callable

DEMO_MODULES = (
    "satulayar.visits.demo",
    "satulayar.inspections.demo",
    "satulayar.cctv.demo",
    "satulayar.integrations.demo",
    "satulayar.dashboard.demo",
    "satulayar.demo.live",  # last: today, live, on top of everything the others seeded
)


def _modules():
    return [importlib.import_module(name) for name in DEMO_MODULES]


def extras_seed(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> list[str]:
    lines = []
    for module in _modules():
        if hasattr(module, "seed_demo"):
            line = module.seed_demo(city=city, days=days, seed=seed, end=end, progress=progress)
            progress(line)
            lines.append(line)
    return lines


def demo_services_start() -> None:
    for module in _modules():
        if hasattr(module, "demo_services"):
            module.demo_services()
