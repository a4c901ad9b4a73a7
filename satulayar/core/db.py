"""Rows matching many keys at once, for the ingest paths.

Django prepares each value of an `__in` list one by one; with hundreds of keys per upload that took longer than the
database's answer. Here the queryset is compiled once, without the keys, and the keys go to the cursor as they are.
"""

from collections.abc import Collection

from django.db import connection

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
