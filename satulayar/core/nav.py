"""The navigation: each app registers its pages with the capability needed to see them."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    icon: str
    capability: str | None  # None: every logged-in user
    order: int = 50

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _items[item.url_name] = item


def items_for(scope) -> list[NavItem]:
    visible = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        if item.capability is None or scope.can(item.capability):
            try:
                item.url  # noqa: B018 - a page whose URL is not installed is not shown
            except NoReverseMatch:
                continue
            visible.append(item)
    return visible
