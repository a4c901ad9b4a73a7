"""Bulk helpers for the ingest and import paths: rows matching many keys at once, and rows inserted fast.

Django prepares each value of an `__in` list one by one; with hundreds of keys per upload that took longer than the
database's answer. Here the queryset is compiled once, without the keys, and the keys go to the cursor as they are.
"""

from collections.abc import Collection

from django.db import connection
from django.db.models import DateField, DateTimeField

CHUNK = 5_000  # well under SQLite's 32.766 bound parameters


def pairs_for_keys(queryset, key: str, value: str, keys: Collection) -> list[tuple]:
    """(key, value) of the rows of `queryset` whose field `key` is one of `keys`."""
    sql, params = queryset.values_list(key, value).order_by().query.sql_with_params()
    column = connection.ops.quote_name(queryset.model._meta.get_field(key).column)
    keys = list(keys)
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            cursor.execute(f"SELECT * FROM ({sql}) AS base WHERE base.{column} IN ({', '.join(['%s'] * len(chunk))})",
                           [*params, *chunk])
            found += cursor.fetchall()
    return found


INSERT_CHUNK = 5_000


def rows_insert(model, columns: tuple[str, ...], values: list[tuple]) -> None:
    """Insert checked rows the fast way of each backend: COPY on PostgreSQL, one prepared INSERT run over the rows
    (executemany) on SQLite. Django's bulk_create binds at most 999 parameters a statement on SQLite and prepares
    every value through its field: about 90 µs a ticket, a minute for the demo year, against about 15 µs here.
    On SQLite dates and times go through Django's adapters, as the fields would send them; COPY adapts its own.
    The caller validates: nothing here checks a value."""
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    table = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        adapters = [connection.ops.adapt_datetimefield_value if isinstance(f, DateTimeField)
                    else connection.ops.adapt_datefield_value if isinstance(f, DateField) else None for f in fields]
        sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(values), INSERT_CHUNK):
            cursor.executemany(sql, [tuple(value if adapt is None or value is None else adapt(value)
                                           for adapt, value in zip(adapters, row, strict=True))
                                     for row in values[start:start + INSERT_CHUNK]])
