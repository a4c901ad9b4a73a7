"""Where records come from: a department's REST/JSON API, its database (read-only), or an uploaded table.

Each source raises `SourceError` with an Indonesian reason; `transient` says whether trying again later may help
(a timeout, a 5xx) or not (bad credentials, a refused query), which decides the retry with backoff.
"""

import base64
import csv
import io
import ipaddress
import json
import socket
import sqlite3
import urllib.error
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlparse
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _
from sqlparse import tokens as T

from satulayar.core.outbound import INTEGRATIONS, OutboundRefused, ResponseTooLarge, outbound_fetch
from satulayar.integrations.choices import AuthKind, Pagination
from satulayar.integrations.mapping import MISSING, field_get, records_at


class SourceError(Exception):
    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def max_payload_bytes() -> int:
    return int(settings.INTEGRATIONS_MAX_PAYLOAD_BYTES)


def http_timeout() -> float:
    return float(settings.INTEGRATIONS_HTTP_TIMEOUT)


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
    """GET one page through the outbound guard and parse it as JSON, with reasons a person can act on."""
    try:
        reply = outbound_fetch(url, purpose=INTEGRATIONS, timeout=http_timeout(), max_bytes=max_payload_bytes(),
                               headers={"Accept": "application/json", "User-Agent": "SatuLayar/1", **headers})
    except OutboundRefused as exc:
        raise SourceError(_("Alamat ditolak (%(reason)s): %(url)s") % {"reason": exc, "url": url[:200]}) from None
    except ResponseTooLarge as exc:
        raise SourceError(_("Jawaban lebih besar dari batas %(limit)s bita.") % {"limit": exc.limit}) from None
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
    try:
        return json.loads(reply.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = "".join(c if c.isprintable() else "�" for c in reply.body[:80].decode("utf-8", "replace")).strip()
        raise SourceError(_("Jawaban bukan JSON (%(type)s), diawali: %(start)s")
                          % {"type": reply.headers.get("Content-Type", "") or _("jenis tidak disebut"),
                             "start": start or _("(kosong)")}) from None


def rest_fetch(*, config: dict, auth_kind: str, secret: dict, records_path: str, sample: bool = False) -> Fetched:
    """All records of the configured API, following its pagination (only the first page for a preview)."""
    headers = _auth_headers(auth_kind, config, secret)
    url = (config.get("url") or "").strip()
    if not url:
        raise SourceError(_("Alamat API belum diisi."))
    pagination = config.get("pagination") or Pagination.NONE
    max_pages = int(config.get("max_pages") or settings.INTEGRATIONS_MAX_PAGES)
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
    return int(settings.INTEGRATIONS_SQL_MAX_ROWS)


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


def sqlite_dir() -> Path:
    """The only folder SQL connectors may open SQLite files from (INTEGRATIONS_SQLITE_DIR)."""
    return Path(settings.INTEGRATIONS_SQLITE_DIR or Path(settings.DATA_DIR) / "sqlite-sumber").resolve()


def _app_sqlite_files() -> list[Path]:
    names = [connections[alias].settings_dict.get("NAME") for alias in connections
             if connections[alias].vendor == "sqlite"]
    names.append(settings.HUEY.get("filename"))
    return [Path(name) for name in names if name and str(name) != ":memory:" and Path(name).exists()]


def _is_app_file(path: Path) -> bool:
    # samefile compares device and inode, so a symlink or a hard link to the app's own file is caught too
    return any(path.samefile(own) or (path.parent == own.resolve().parent and path.name.startswith(own.name + "-"))
               for own in _app_sqlite_files())


def sqlite_path_check(dsn: str) -> Path:
    """The resolved SQLite file a DSN names, if it lies in the allowed folder and is not Satu Layar's own."""
    raw = urllib.parse.unquote(dsn.split("://", 1)[1])[1:] if dsn.startswith("sqlite:///") else ""
    path = Path(raw).resolve() if raw else Path()
    if not raw or not path.is_file():
        raise SourceError(_("Berkas basis data SQLite tidak ditemukan: %(path)s") % {"path": raw or "-"})
    if not path.is_relative_to(sqlite_dir()):
        raise SourceError(_("Berkas SQLite harus berada di folder %(dir)s (pengaturan INTEGRATIONS_SQLITE_DIR).")
                          % {"dir": sqlite_dir()})
    if _is_app_file(path):
        raise SourceError(_("Berkas ini adalah basis data Satu Layar sendiri; konektor tidak boleh membacanya."))
    return path


def _host_keys(host: str) -> set[str]:
    if not host or host.startswith("/") or host.lower() == "localhost":
        return {"local"}
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    except socket.gaierror:
        return {host.lower()}
    return addresses | ({"local"} if any(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)
                        else set())


def _app_servers(vendor: str) -> list[dict]:
    return [connections[alias].settings_dict for alias in connections if connections[alias].vendor == vendor]


def server_is_app_own(*, vendor: str, host: str, port: int, name: str, databases: list[dict] | None = None) -> bool:
    """Whether host+port+database name Satu Layar's own database (names compared by the addresses they resolve to;
    a Unix socket and loopback count as this machine)."""
    default_port = {"postgresql": 5432, "mysql": 3306}[vendor]
    for own in _app_servers(vendor) if databases is None else databases:
        same_port = int(own.get("PORT") or default_port) == int(port or default_port)
        if same_port and own.get("NAME") == name and _host_keys(own.get("HOST") or "") & _host_keys(host):
            return True
    return False


def postgres_target_check(dsn: str, *, databases: list[dict] | None = None) -> None:
    """SourceError when the DSN names Satu Layar's own PostgreSQL database (`databases`: the app's, by default)."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except ProgrammingError as exc:
        raise SourceError(_("DSN PostgreSQL tidak dapat dibaca: %(e)s") % {"e": str(exc).strip()[:200]}) from None
    name = params.get("dbname") or params.get("user") or ""
    # libpq connects to hostaddr when given, whatever host says
    hosts = str(params.get("hostaddr") or params.get("host") or "").split(",")
    ports = str(params.get("port") or "").split(",")
    for index, host in enumerate(hosts):
        port = ports[min(index, len(ports) - 1)].strip()
        port_number = int(port) if port.isdigit() else 5432
        if server_is_app_own(vendor="postgresql", host=host.strip(), port=port_number, name=name,
                             databases=databases):
            raise SourceError(_("DSN ini menunjuk basis data Satu Layar sendiri; konektor tidak boleh membacanya. "
                                "Gunakan basis data dinas dengan peran khusus baca-saja."))


def _sqlite_rows(dsn: str, sql: str, limit: int) -> list[dict]:
    path = sqlite_path_check(dsn)
    try:
        connection = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True, timeout=10)
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

    postgres_target_check(dsn)
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
    if server_is_app_own(vendor="mysql", host=parts.hostname or "", port=parts.port or 3306,
                         name=parts.path.lstrip("/")):
        raise SourceError(_("DSN ini menunjuk basis data Satu Layar sendiri; konektor tidak boleh membacanya."))
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
