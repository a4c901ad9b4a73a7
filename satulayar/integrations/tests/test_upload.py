"""CSV/XLSX upload through the pages: the file's columns with a mapping preview, then processing as one run
(Huey, immediate here) with progress, rejected rows named, and a second upload of the same file idempotent."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from satulayar.integrations import services
from satulayar.integrations.choices import ConnectorKind, RunStatus
from satulayar.integrations.models import IndicatorValue, Run
from satulayar.integrations.uploads import upload_process, upload_receive
from tests.factories import login_as

CSV = ("tanggal;kelurahan;kunjungan\n"
       "29/11/2026;Kuin Cerucuk;12\n"
       "30/11/2026;Kuin Cerucuk;1.204\n"
       "30/11/2026;Pelambuan;tujuh\n"
       "\n"
       "30/11/2026;Belitung Selatan;8,5\n")


@pytest.fixture
def immediate_huey():
    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def upload_connector(hub):
    connector, _ = services.connector_save(actor=hub.admin, city=hub.city, fields={
        "name": "Rekap puskesmas (unggah)", "kind": ConnectorKind.UPLOAD, "department": hub.org.dinkes},
        config={}, secret={}, mapping={})
    return connector


@pytest.fixture
def admin_client(hub):
    client = Client()
    login_as(client, hub.admin)
    return client


MAPPING_POST = {"timestamp_field": "tanggal", "dimension_field": "kelurahan", "indicator": "kunjungan-puskesmas",
                "value_field": "kunjungan"}


def test_csv_upload_preview_then_process_with_rejections(hub, upload_connector, admin_client, immediate_huey,
                                                         django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("rekap.csv", CSV.encode(), content_type="text/csv")
    response = admin_client.post(reverse("integrations:connector_upload", args=[upload_connector.pk]),
                                 {"file": upload})
    run = Run.objects.get()
    assert response.url == reverse("integrations:upload_mapping", args=[run.pk])
    page = admin_client.get(response.url)
    assert page.status_code == 200 and "Belitung Selatan" in page.content.decode()

    preview = admin_client.post(response.url, {**MAPPING_POST, "preview": "1"})
    html = preview.content.decode()
    assert "4 baris contoh: 3 dapat dipetakan, 1 ditolak." in html
    assert "Baris 4, kolom 'kunjungan': &#x27;tujuh&#x27; bukan angka" in html
    assert not IndicatorValue.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = admin_client.post(response.url, {**MAPPING_POST, "start": "1"})
    assert started.url == reverse("integrations:run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL, run.error
    assert (run.read_count, run.accepted_count, run.rejected_count) == (4, 3, 1)
    assert (run.progress_done, run.progress_total) == (4, 4)
    assert run.rejections == [{"row": 4, "field": "kunjungan", "reason": "'tujuh' bukan angka"}]
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [8.5, 12.0, 1204.0]
    detail = admin_client.get(started.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="partial"' in detail and "hx-trigger" not in detail  # finished: polling stops
    upload_connector.refresh_from_db()
    assert upload_connector.mapping["values"] == [{"indicator": "kunjungan-puskesmas", "field": "kunjungan"}]


def test_xlsx_upload_and_the_same_file_again_is_idempotent(hub, upload_connector):
    upload_connector.mapping = {"records": "", "timestamp": "Tanggal", "dimension": "Kelurahan",
                                "values": [{"indicator": "kunjungan-puskesmas", "field": "Jumlah"}]}
    upload_connector.save()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tanggal", "Kelurahan", "Jumlah"])
    import datetime as dt

    for i in range(1200):  # more than one chunk: progress moves while reading
        sheet.append([dt.date(2026, 11, 1) + dt.timedelta(days=i % 30), ["Kuin Cerucuk", "Pelambuan"][i // 30 % 2], 1])
    data = io.BytesIO()
    book.save(data)
    for _attempt in range(2):
        run = upload_receive(actor=hub.admin, connector=upload_connector,
                             uploaded=SimpleUploadedFile("rekap.xlsx", data.getvalue()))
        run = upload_process(run_id=run.pk)
        assert run.status == RunStatus.SUCCESS, run.error
        assert (run.read_count, run.progress_done, run.progress_total) == (1200, 1200, 1200)
    # 30 days × 2 kelurahan; the 20 rows per key are summed (the indicator aggregates by sum)
    assert IndicatorValue.objects.count() == 60 and set(IndicatorValue.objects.values_list("value", flat=True)) == {
        20.0}


def test_bad_files_are_refused_with_the_reason(hub, upload_connector, admin_client, settings):
    url = reverse("integrations:connector_upload", args=[upload_connector.pk])
    response = admin_client.post(url, {"file": SimpleUploadedFile("foto.jpg", b"\xff\xd8")}, follow=True)
    assert "Berkas harus .csv atau .xlsx" in response.content.decode()
    run = upload_receive(actor=hub.admin, connector=upload_connector,
                         uploaded=SimpleUploadedFile("rusak.xlsx", b"bukan zip"))
    response = admin_client.get(reverse("integrations:upload_mapping", args=[run.pk]), follow=True)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "XLSX tidak dapat dibaca" in run.error
    settings.INTEGRATIONS_MAX_UPLOAD_BYTES = 10
    response = admin_client.post(url, {"file": SimpleUploadedFile("besar.csv", CSV.encode())}, follow=True)
    assert "melebihi batas" in response.content.decode()


def test_only_the_integration_admin_uploads(hub, upload_connector, client_for):
    url = reverse("integrations:connector_upload", args=[upload_connector.pk])
    upload = SimpleUploadedFile("rekap.csv", CSV.encode())
    assert client_for("walikota").post(url, {"file": upload}).status_code == 403
    assert client_for("admin_dinas_kesehatan").post(url, {"file": upload}).status_code == 403
    assert not Run.objects.exists()
