"""The order a city lists its units in, for every page that lists them.

Secretariats, the inspectorate, dinas, badan, satuan, hospitals, kecamatan and kelurahan offices (the order of
`UnitKind`), then by name; never by id (ordering by the id path read as text gave "Setda, Setwan, Disperkim…").
Within a tree, each unit is followed by its sub-units in the same order.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from satulayar.org.choices import UnitKind

KIND_ORDER = {kind: index for index, kind in enumerate(UnitKind.values)}
T = TypeVar("T")


def city_order(unit) -> tuple[int, str]:
    return KIND_ORDER.get(unit.kind, len(KIND_ORDER)), unit.name.casefold()


def tree_order(items: Iterable[T], unit_of: Callable[[T], object] = lambda item: item) -> list[T]:
    """Items (units, or rows carrying a unit) parent first, siblings in the city's order. An item whose parent is
    not among them starts a tree of its own."""
    items = list(items)
    ids = {unit_of(item).pk for item in items}
    children: dict[int | None, list[T]] = defaultdict(list)
    for item in items:
        parent = unit_of(item).parent_id
        children[parent if parent in ids else None].append(item)
    ordered: list[T] = []

    def walk(parent_id):
        for item in sorted(children.get(parent_id, []), key=lambda i: city_order(unit_of(i))):
            ordered.append(item)
            walk(unit_of(item).pk)

    walk(None)
    return ordered
