"""What every rule shares: the window it reads, the signal it returns, and small helpers for evidence."""

import datetime as dt
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from satulayar.org.models import City


@dataclass(frozen=True)
class Window:
    """The city's local days [start, end] a run reads, with their bounds in UTC."""

    city: City
    start: dt.date
    end: dt.date

    @property
    def zone(self) -> ZoneInfo:
        return self.city.zone

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), self.zone)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), self.zone)

    def local(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(self.zone)


@dataclass
class Signal:
    """One finding as a rule sees it; the engine stores it (by `key`) with the rule's name."""

    key: str
    score: float  # 0 … 100: how strongly the evidence points, comparable across rules
    summary: str  # one line for the list
    explanation: str  # plain Indonesian: what was seen, with the numbers
    first_date: dt.date
    last_date: dt.date
    evidence: list[dict] = field(default_factory=list)
    employee_id: int | None = None
    unit_id: int | None = None
    kelurahan_id: int | None = None


def evidence(kind: str, pk: int, at: dt.datetime | dt.date | None, text: str, **extra) -> dict:
    return {"kind": kind, "id": pk, "at": at.isoformat() if at else None, "text": text, **extra}


def hhmmss(at: dt.datetime) -> str:
    return at.strftime("%d-%m-%Y %H:%M:%S")


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def capped(value: float, low: float = 0, high: float = 100) -> float:
    return round(max(low, min(high, value)), 1)


def number(value: float, digits: int = 0) -> str:
    """Indonesian style: 1.234,5."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
