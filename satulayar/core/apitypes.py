"""Input types shared by the API routers: ids and dates outside what the database and the calendar hold are refused
with a 422 and a reason instead of reaching a query (a 2^63 id or the year 1 answered 500)."""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field

MAX_DB_ID = 2**63 - 1
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)

DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]


def _date_in_range(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"tanggal harus antara {FIRST_DATE.isoformat()} dan {LAST_DATE.isoformat()}")
    return value


CalendarDate = Annotated[dt.date, AfterValidator(_date_in_range)]
