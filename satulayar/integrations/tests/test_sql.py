"""Read-only SQL connectors against a real SQLite file and a real second PostgreSQL database: write statements
are refused before they run, and the connection itself is read-only should one slip past."""

import os
import sqlite3
import urllib.parse

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from satulayar.integrations import services
from satulayar.integrations.choices import ConnectorKind, RunStatus
from satulayar.integrations.models import IndicatorValue
from satulayar.integrations.runs import connector_pull
from satulayar.integrations.sources import (
    SourceError,
    _postgres_rows,
    _sqlite_rows,
    postgres_target_check,
    query_check,
    server_is_app_own,
    sqlite_path_check,
)

QUERY = ("SELECT tanggal, kelurahan, SUM(jumlah) AS jumlah FROM penerbitan_dokumen "
         "GROUP BY tanggal, kelurahan ORDER BY tanggal")
MAPPING = {"timestamp": "tanggal", "dimension": "kelurahan",
           "values": [{"indicator": "kunjungan-puskesmas", "field": "jumlah"}]}
PG_SERVER = os.environ.get("INTEGRATIONS_TEST_PG_SERVER", "postgresql://satulayar:satulayar@127.0.0.1:5432/")
PG_DATABASE = "satulayar_dept_test"
ROWS = [("2026-11-29", "Kuin Cerucuk", "KTP-el", 4), ("2026-11-29", "Kuin Cerucuk", "KK", 3),
        ("2026-11-30", "Pelambuan", "KTP-el", 7)]


@pytest.fixture
def sqlite_dept(tmp_path, settings):
    settings.INTEGRATIONS_SQLITE_DIR = str(tmp_path)
    path = tmp_path / "disdukcapil.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE penerbitan_dokumen (tanggal TEXT, kelurahan TEXT, jenis TEXT, jumlah INTEGER)")
        db.executemany("INSERT INTO penerbitan_dokumen VALUES (?, ?, ?, ?)", ROWS)
    return path


@pytest.fixture(scope="module")
def postgres_dept():
    """A second, real PostgreSQL database for the department. CI always has PostgreSQL: fail, never skip."""
    try:
        admin = psycopg.connect(PG_SERVER + "postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is needed for the SQL connector test and could not be reached at {PG_SERVER} "
                    f"(set INTEGRATIONS_TEST_PG_SERVER): {exc}", pytrace=False)
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")
    dsn = PG_SERVER + PG_DATABASE
    with psycopg.connect(dsn) as db:
        db.execute("CREATE TABLE penerbitan_dokumen (tanggal date, kelurahan text, jenis text, jumlah integer)")
        db.cursor().executemany("INSERT INTO penerbitan_dokumen VALUES (%s, %s, %s, %s)", ROWS)
    yield dsn
    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def sql_connector(hub, dsn, query=QUERY):
    connector, _ = services.connector_save(
        actor=hub.admin, city=hub.city, fields={"name": "SIAK Disdukcapil", "kind": ConnectorKind.SQL,
                                                "department": hub.org.dinkes},
        config={"query": query}, secret={"dsn": dsn}, mapping=MAPPING)
    return connector


def test_sqlite_query_maps_rows_per_kelurahan(hub, sqlite_dept):
    connector = sql_connector(hub, f"sqlite:///{sqlite_dept}")
    assert str(sqlite_dept) not in connector.secret
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.SUCCESS, run.error
    assert sorted(IndicatorValue.objects.values_list("dimension_label", "value")) == [("Kuin Cerucuk", 7.0),
                                                                                     ("Pelambuan", 7.0)]


def test_postgresql_department_database(hub, postgres_dept):
    run = connector_pull(connector=sql_connector(hub, postgres_dept))
    assert run.status == RunStatus.SUCCESS, run.error
    assert IndicatorValue.objects.count() == 2
    with pytest.raises(SourceError, match="read-only"):
        _postgres_rows(postgres_dept, "DELETE FROM penerbitan_dokumen", 10)  # the connection guards too
    with psycopg.connect(postgres_dept) as db:
        assert db.execute("SELECT count(*) FROM penerbitan_dokumen").fetchone()[0] == 3


@pytest.mark.parametrize("query", [
    "DELETE FROM penerbitan_dokumen",
    "UPDATE penerbitan_dokumen SET jumlah = 0",
    "INSERT INTO penerbitan_dokumen VALUES ('2026-01-01', 'x', 'y', 1)",
    "DROP TABLE penerbitan_dokumen",
    "SELECT 1; DROP TABLE penerbitan_dokumen",
    "WITH gone AS (DELETE FROM penerbitan_dokumen RETURNING *) SELECT * FROM gone",
    "SELECT * INTO salinan FROM penerbitan_dokumen",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "PRAGMA writable_schema = 1",
    "",
])
def test_write_statements_are_refused_at_save_and_at_run(hub, sqlite_dept, query):
    with pytest.raises(ValidationError) as refused:
        sql_connector(hub, f"sqlite:///{sqlite_dept}", query=query)
    assert "query" in refused.value.message_dict
    connector = sql_connector(hub, f"sqlite:///{sqlite_dept}")
    connector.config = {"query": query}  # as if changed behind the form's back
    connector.save()
    run = connector_pull(connector=connector)
    assert run.status == RunStatus.FAILED and ("ditolak" in run.error or "belum diisi" in run.error)
    with sqlite3.connect(sqlite_dept) as db:
        assert db.execute("SELECT count(*) FROM penerbitan_dokumen").fetchone()[0] == 3


def test_reads_pass_the_check_and_sqlite_connection_is_read_only(sqlite_dept):
    assert query_check("select ';drop' as teks, comment from t;") == "select ';drop' as teks, comment from t"
    with pytest.raises(SourceError, match="Kueri gagal"):
        _sqlite_rows(f"sqlite:///{sqlite_dept}", "DELETE FROM penerbitan_dokumen", 10)
    with sqlite3.connect(sqlite_dept) as db:
        assert db.execute("SELECT count(*) FROM penerbitan_dokumen").fetchone()[0] == 3


def test_unreachable_or_missing_databases_fail_clearly(hub, tmp_path):
    run = connector_pull(connector=sql_connector(hub, f"sqlite:///{tmp_path / 'tidak-ada.sqlite3'}"))
    assert run.status == RunStatus.FAILED and "tidak ditemukan" in run.error
    parts = urllib.parse.urlsplit(PG_SERVER)
    dead = f"postgresql://{parts.username}:{parts.password}@127.0.0.1:1/x"
    run = connector_pull(connector=sql_connector(hub, dead))
    assert run.status == RunStatus.FAILED and "tidak dapat dihubungi" in run.error


def _app_database_dsn() -> str:
    own = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{own['NAME']}"
    return (f"postgresql://{own['USER']}:{own['PASSWORD']}@{own['HOST'] or 'localhost'}:{own['PORT'] or 5432}"
            f"/{own['NAME']}")


def test_a_dsn_naming_the_apps_own_database_is_refused(hub, settings, tmp_path):
    """Regression: an integration admin pointed a connector at Satu Layar's own database and read django_session."""
    settings.INTEGRATIONS_SQLITE_DIR = "/" if connection.vendor == "sqlite" else str(tmp_path)
    run = connector_pull(connector=sql_connector(hub, _app_database_dsn(), query="SELECT * FROM django_session"))
    assert run.status == RunStatus.FAILED and "basis data Satu Layar sendiri" in run.error
    assert run.read_count == 0


def test_sqlite_files_outside_the_folder_or_linked_to_the_apps_own_are_refused(hub, settings, tmp_path,
                                                                               sqlite_dept):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-lain.sqlite3"
    sqlite3.connect(elsewhere).close()
    with pytest.raises(SourceError, match="harus berada di folder"):
        sqlite_path_check(f"sqlite:///{elsewhere}")
    with pytest.raises(SourceError, match="harus berada di folder"):
        sqlite_path_check(f"sqlite:///{tmp_path}/../{elsewhere.name}")
    if connection.vendor == "sqlite":
        (tmp_path / "tautan.sqlite3").symlink_to(connection.settings_dict["NAME"])
        with pytest.raises(SourceError, match="harus berada di folder"):  # the link is followed to its target
            sqlite_path_check(f"sqlite:///{tmp_path / 'tautan.sqlite3'}")
    assert sqlite_path_check(f"sqlite:///{sqlite_dept}") == sqlite_dept.resolve()


@pytest.mark.parametrize(("dsn_host", "dsn_port", "dsn_name", "own"), [
    ("127.0.0.1", 5432, "satulayar", True),
    ("localhost", 5432, "satulayar", True),
    ("", 5432, "satulayar", True),  # a Unix socket on this machine
    ("127.0.0.1", 5433, "satulayar", False),
    ("127.0.0.1", 5432, "siak", False),
    ("10.20.0.5", 5432, "satulayar", False),
])
def test_a_server_is_the_apps_own_when_host_port_and_database_match(dsn_host, dsn_port, dsn_name, own):
    app = [{"HOST": "127.0.0.1", "PORT": "", "NAME": "satulayar"}]
    assert server_is_app_own(vendor="postgresql", host=dsn_host, port=dsn_port, name=dsn_name, databases=app) is own


def test_a_postgres_dsn_hiding_the_apps_server_behind_hostaddr_is_refused():
    app = [{"HOST": "127.0.0.1", "PORT": "5432", "NAME": "satulayar"}]
    with pytest.raises(SourceError, match="Satu Layar sendiri"):
        postgres_target_check("host=siak.dinas.example hostaddr=127.0.0.1 dbname=satulayar", databases=app)
    with pytest.raises(SourceError, match="Satu Layar sendiri"):
        postgres_target_check("postgresql://u:p@localhost/satulayar", databases=app)
    postgres_target_check("host=127.0.0.1 port=5432 dbname=siak", databases=app)  # another database: allowed
