"""Where records come from: a department's REST/JSON API, its database (read-only), or an uploaded table.

Each source raises `SourceError` with an Indonesian reason; `transient` says whether trying again later may help
(a timeout, a 5xx) or not (bad credentials, a refused query), which decides the retry with backoff.
"""

import base64
import csv
import io
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlparse
from django.conf import settings
from django.utils.translation import gettext as _
from sqlparse import tokens as T

from satulayar.integrations.choices import AuthKind, Pagination
from satulayar.integrations.mapping import MISSING, field_get, records_at


class SourceError(Exception):
    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def max_payload_bytes() -> int:
    return int(getattr(settings, "INTEGRATIONS_MAX_PAYLOAD_BYTES", 5 * 1024 * 1024))


def http_timeout() -> float:
    return float(getattr(settings, "INTEGRATIONS_HTTP_TIMEOUT", 15))


# --- REST/JSON -------------------------------------------------------------------------------------------------


@dataclass
class Fetched:
    records: list = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def _auth_headers(auth_kind: str, config: dict, secret: dict) -> dict:
    if auth_kind == AuthKind.API_KEY:
        return {config.get("api_key_header") or "X-API-Key": secret.get("api_key", "")}
    if auth_kind == AuthKind.BASIC:
        pair = f"{secret.get('username', '')}:{secret.get('password', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    if auth_kind == AuthKind.BEARER:
        return {"Authorization": f"Bearer {secret.get('token', '')}"}
    return {}


def http_get_json(url: str, headers: dict):
    """GET one page and parse it as JSON, with a size limit and reasons a person can act on."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SourceError(_("Alamat harus diawali http:// atau https://: %(url)s") % {"url": url[:200]})
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "SatuLayar/1",
                                                   **headers})
    limit = max_payload_bytes()
    try:
        with urllib.request.urlopen(request, timeout=http_timeout()) as response:  # the scheme is checked above
            body = response.read(limit + 1)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        hint = {401: _("periksa kredensial"), 403: _("akses ditolak aplikasi dinas"),
                404: _("periksa alamat")}.get(exc.code, "")
        message = _("Aplikasi dinas menjawab HTTP %(code)s%(hint)s di %(url)s") % {
            "code": exc.code, "hint": f" ({hint})" if hint else "", "url": url[:200]}
        raise SourceError(message, transient=exc.code >= 500 or exc.code == 429) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(_("Aplikasi dinas tidak dapat dihubungi (%(reason)s): %(url)s")
                          % {"reason": reason, "url": url[:200]}, transient=True) from None
    if len(body) > limit:
        raise SourceError(_("Jawaban lebih besar dari batas %(limit)s bita.") % {"limit": limit})
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = "".join(c if c.isprintable() else "�" for c in body[:80].decode("utf-8", "replace")).strip()
        raise SourceError(_("Jawaban bukan JSON (%(type)s), diawali: %(start)s")
                          % {"type": content_type or _("jenis tidak disebut"), "start": start or _("(kosong)")}
                          ) from None


def rest_fetch(*, config: dict, auth_kind: str, secret: dict, records_path: str, sample: bool = False) -> Fetched:
    """All records of the configured API, following its pagination (only the first page for a preview)."""
    headers = _auth_headers(auth_kind, config, secret)
    url = (config.get("url") or "").strip()
    if not url:
        raise SourceError(_("Alamat API belum diisi."))
    pagination = config.get("pagination") or Pagination.NONE
    max_pages = int(config.get("max_pages") or getattr(settings, "INTEGRATIONS_MAX_PAGES", 100))
    fetched, page = Fetched(), int(config.get("page_start") or 1)
    for number in range(1, max_pages + 1):
        page_url = _with_param(url, config.get("page_param") or "page", page) if pagination == Pagination.PAGE else url
        payload = http_get_json(page_url, headers)
        try:
            records = records_at(payload, records_path)
        except Exception as exc:
            raise SourceError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        fetched.log.append(_("Halaman %(n)s: %(count)s baris dari %(url)s")
                           % {"n": number, "count": len(records), "url": page_url[:200]})
        fetched.records.extend(records)
        if sample or pagination == Pagination.NONE or not records:
            return fetched
        if pagination == Pagination.PAGE:
            page += 1
            continue
        next_url = field_get(payload, config.get("next_path") or "next")
        if next_url in (MISSING, None, ""):
            return fetched
        url = urllib.parse.urljoin(url, str(next_url))
    raise SourceError(_("Berhenti setelah %(n)s halaman: batas halaman tercapai, tidak ada yang disimpan.")
                      % {"n": max_pages})


def _with_param(url: str, name: str, value) -> str:
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, str(value)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


# --- SQL -------------------------------------------------------------------------------------------------------

WRITE_TOKEN_TYPES = (T.Keyword.DML, T.Keyword.DDL, T.Keyword.DCL)


def query_check(query: str) -> str:
    """The query if it is exactly one SELECT (or WITH … SELECT) that writes nothing; SourceError otherwise.
    This is the first guard; the connection is also opened read-only, so a write slipping past still fails."""
    statements = [s for s in sqlparse.parse(query or "") if s.value.strip(" \t\r\n;")]
    if not statements:
        raise SourceError(_("Kueri SQL belum diisi."))
    if len(statements) > 1:
        raise SourceError(_("Kueri ditolak: hanya satu pernyataan SQL yang boleh; ditemukan %(n)s.")
                          % {"n": len(statements)})
    statement = statements[0]
    for token in statement.flatten():
        word = token.normalized.upper()
        if (token.ttype in WRITE_TOKEN_TYPES and word != "SELECT") or (token.ttype is T.Keyword and word == "INTO"):
            raise SourceError(_("Kueri ditolak: '%(word)s' adalah perintah tulis. Hanya SELECT yang boleh.")
                              % {"word": word})
    kind = statement.get_type()
    if kind != "SELECT":
        raise SourceError(_("Kueri ditolak: hanya SELECT (atau WITH … SELECT) yang boleh, bukan %(kind)s.")
                          % {"kind": kind})
    return statement.value.strip().rstrip(";").strip()


def sql_max_rows() -> int:
    return int(getattr(settings, "INTEGRATIONS_SQL_MAX_ROWS", 100_000))


def sql_fetch(*, dsn: str, query: str, sample: bool = False) -> Fetched:
    sql = query_check(query)
    limit = 20 if sample else sql_max_rows()
    scheme = urllib.parse.urlsplit(dsn or "").scheme.lower()
    if scheme == "sqlite":
        rows = _sqlite_rows(dsn, sql, limit)
    elif scheme in ("postgres", "postgresql"):
        rows = _postgres_rows(dsn, sql, limit)
    elif scheme in ("mysql", "mariadb"):
        rows = _mysql_rows(dsn, sql, limit)
    else:
        raise SourceError(_("DSN basis data harus diawali sqlite://, postgresql:// atau mysql://."))
    return Fetched(records=rows, log=[_("Kueri mengembalikan %(n)s baris.") % {"n": len(rows)}])


def _too_many(limit: int):
    raise SourceError(_("Kueri mengembalikan lebih dari %(n)s baris; persempit dengan WHERE.") % {"n": limit})


def _sqlite_rows(dsn: str, sql: str, limit: int) -> list[dict]:
    path = Path(urllib.parse.unquote(dsn.split("://", 1)[1])[1:] if dsn.startswith("sqlite:///") else "")
    if not path.name or not path.exists():
        raise SourceError(_("Berkas basis data SQLite tidak ditemukan: %(path)s") % {"path": path})
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise SourceError(_("Basis data SQLite tidak dapat dibuka: %(e)s") % {"e": exc}, transient=True) from None
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.row_factory = sqlite3.Row
        cursor = connection.execute(sql)
        rows = cursor.fetchmany(limit + 1)
    except sqlite3.Error as exc:
        raise SourceError(_("Kueri gagal di basis data dinas: %(e)s") % {"e": exc}) from None
    finally:
        connection.close()
    if len(rows) > limit and limit > 20:
        _too_many(limit)
    return [dict(row) for row in rows[:limit]]


def _postgres_rows(dsn: str, sql: str, limit: int) -> list[dict]:
    import psycopg
    from psycopg.rows import dict_row

    try:
        connection = psycopg.connect(dsn, connect_timeout=10, row_factory=dict_row,
                                     options="-c default_transaction_read_only=on -c statement_timeout=30000")
    except psycopg.Error as exc:
        raise SourceError(_("Basis data PostgreSQL dinas tidak dapat dihubungi: %(e)s")
                          % {"e": str(exc).strip()[:300]}, transient=True) from None
    try:
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchmany(limit + 1)
        connection.rollback()
    except psycopg.Error as exc:
        raise SourceError(_("Kueri gagal di basis data dinas: %(e)s") % {"e": str(exc).strip()[:300]}) from None
    finally:
        connection.close()
    if len(rows) > limit and limit > 20:
        _too_many(limit)
    return rows[:limit]


def _mysql_rows(dsn: str, sql: str, limit: int) -> list[dict]:
    try:
        import pymysql
    except ImportError:
        raise SourceError(_("Pengandar MySQL/MariaDB (PyMySQL) belum terpasang di server ini.")) from None
    parts = urllib.parse.urlsplit(dsn)
    try:
        connection = pymysql.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                                     user=urllib.parse.unquote(parts.username or ""),
                                     password=urllib.parse.unquote(parts.password or ""),
                                     database=parts.path.lstrip("/"), connect_timeout=10,
                                     cursorclass=pymysql.cursors.DictCursor)
    except pymysql.MySQLError as exc:
        raise SourceError(_("Basis data MySQL dinas tidak dapat dihubungi: %(e)s") % {"e": exc},
                          transient=True) from None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("START TRANSACTION READ ONLY")
            cursor.execute(sql)
            rows = cursor.fetchmany(limit + 1)
        connection.rollback()
    except pymysql.MySQLError as exc:
        raise SourceError(_("Kueri gagal di basis data dinas: %(e)s") % {"e": exc}) from None
    finally:
        connection.close()
    if len(rows) > limit and limit > 20:
        _too_many(limit)
    return list(rows[:limit])


# --- CSV / XLSX --------------------------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[dict]
    total: int | None  # data rows, when known without reading them all


def table_open(path: Path) -> Table:
    """The header and the rows of a CSV (comma, semicolon or tab; UTF-8 or Latin-1) or XLSX file's first sheet."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_table(path)
    if suffix in (".csv", ".txt"):
        return _csv_table(path)
    raise SourceError(_("Berkas harus CSV atau XLSX, bukan %(suffix)s.") % {"suffix": suffix or _("tanpa akhiran")})


def _clean_headers(raw) -> list[str]:
    headers = [str(h).strip() if h is not None else "" for h in raw]
    if not any(headers):
        raise SourceError(_("Baris pertama berkas kosong: baris judul kolom diperlukan."))
    return [h or f"kolom_{i + 1}" for i, h in enumerate(headers)]


def _csv_table(path: Path) -> Table:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\x00" in text[:4096]:
        raise SourceError(_("Berkas ini bukan teks CSV."))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = _clean_headers(next(reader))
    except StopIteration:
        raise SourceError(_("Berkas CSV kosong.")) from None
    total = max(0, sum(1 for line in text.splitlines() if line.strip()) - 1)

    def rows():
        for values in reader:
            if any(v.strip() for v in values):
                yield dict(zip(headers, (v.strip() for v in values), strict=False))

    return Table(headers=headers, rows=rows(), total=total)


def _xlsx_table(path: Path) -> Table:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(_("Berkas XLSX tidak dapat dibaca: %(e)s") % {"e": exc}) from None
    sheet = book.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        headers = _clean_headers(next(iterator))
    except StopIteration:
        raise SourceError(_("Lembar pertama XLSX kosong.")) from None
    total = (sheet.max_row - 1) if sheet.max_row else None

    def rows():
        try:
            for values in iterator:
                if any(v not in (None, "") for v in values):
                    yield dict(zip(headers, values, strict=False))
        finally:
            book.close()

    return Table(headers=headers, rows=rows(), total=total)
