"""The rollups each app keeps (per unit per day, per kelurahan per hour …), listed so one command rebuilds them all.

An app registers its own in its `rollups.py`: a label, the model whose `date` field bounds the data held, and the
function that recomputes a range (`rebuild(start=, end=, city_id=)` returning rows written). `rollups_all()` loads
every app's `rollups` module first, so core names no domain.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Rollup:
    label: str
    model: type  # rows with a `date` field: the range the rollup covers
    rebuild: Callable[..., int]


_REGISTRY: dict[str, Rollup] = {}


def rollup_register(*, label: str, model: type, rebuild: Callable[..., int]) -> None:
    _REGISTRY[label] = Rollup(label, model, rebuild)


def rollups_all() -> list[Rollup]:
    autodiscover_modules("rollups")
    return list(_REGISTRY.values())
