"""The sidak pages and API: who sees what, refusals with reasons, exports that agree with the report."""

import base64
import datetime as dt
import io
import json
import uuid

import pytest
from openpyxl import load_workbook

from satulayar.attendance.schedules import work_schedule_set
from satulayar.inspections import services
from satulayar.inspections.choices import FindingKind, FollowUpStatus
from satulayar.inspections.models import Finding, Mark
from satulayar.inspections.tests.conftest import DAY, item, wita

CLOSE = wita(10, 30)
# The smallest valid PNG (1×1, transparent).
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


@pytest.fixture
def closed(personas, staff, inspection):
    services.marks_submit(actor=personas.inspektur, inspection=inspection, now=CLOSE, items=[
        item(staff.punched, "not_found"), item(staff.never, "present"), item(staff.punched_p2p, "present")])
    services.inspection_close(actor=personas.inspektur, inspection=inspection, now=CLOSE, note="Ditandatangani")
    return inspection


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("name", ["admin_dinas_kesehatan", "admin_bkpsdm", "lurah_kuin_cerucuk", "pegawai_dinkes",
                                  "outsider"])
def test_an_open_inspection_is_invisible_to_everyone_but_inspectors_and_executives(client_for, inspection, name):
    client = client_for(name)
    for url in ("/sidak/", f"/sidak/{inspection.pk}/", f"/sidak/{inspection.pk}/laporan/",
                f"/sidak/{inspection.pk}/laporan.pdf", f"/sidak/{inspection.pk}/laporan.xlsx"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/api/inspections/{inspection.pk}").status_code == 404
    assert client.get("/api/inspections/").json() == []
    assert "Sidak</span>" not in client.get("/").content.decode()  # no navigation entry


def test_anonymous_is_sent_to_login(client, inspection):
    assert client.get(f"/sidak/{inspection.pk}/").status_code == 302
    assert client.get(f"/api/inspections/{inspection.pk}").status_code == 401


@pytest.mark.parametrize("name", ["inspektur", "walikota"])
def test_inspectors_and_executives_see_the_roster_and_the_navigation(client_for, inspection, staff, name):
    client = client_for(name)
    page = client.get(f"/sidak/{inspection.pk}/").content.decode()
    assert staff.never.name in page and staff.leave.name in page and staff.outsider.name not in page
    assert "Semua di ruangan ini ada" in page
    assert 'href="/sidak/"' in client.get("/").content.decode()


def test_start_from_the_page_and_refusals(client_for, org, staff, settings):
    client = client_for("inspektur")
    assert client.get("/sidak/mulai/").status_code == 200
    response = client.post("/sidak/mulai/", {"units": []})
    assert response.status_code == 422 and "Pilih minimal satu unit" in response.content.decode()
    response = client.post("/sidak/mulai/", {"units": ["999999"]})
    assert response.status_code == 422
    assert client_for("admin_dinas_kesehatan").post("/sidak/mulai/", {"units": [org.dinkes.pk]}).status_code == 403


def every_day_a_work_day(unit):
    """Today, whatever the machine's clock says, is a work day at the unit (the API starts today only)."""
    work_schedule_set(actor=None, unit=unit, name="Pelayanan tujuh hari", effective_from=dt.date(2020, 1, 1),
                      days={weekday: (dt.time(0, 0), dt.time(23, 59)) for weekday in range(7)})


def test_api_start_mark_and_refusals(client_for, org, staff, personas):
    every_day_a_work_day(org.dinkes)
    client = client_for("inspektur")
    refused = post_json(client, "/api/inspections/", {"unit_ids": [org.dinkes.pk, 999999]})
    assert refused.status_code == 422 and "999999" in refused.json()["detail"][0]["msg"]
    assert post_json(client_for("admin_dinas_kesehatan"), "/api/inspections/",
                     {"unit_ids": [org.dinkes.pk]}).status_code == 403
    started = post_json(client, "/api/inspections/", {"unit_ids": [org.dinkes.pk]})
    assert started.status_code == 201 and started.json()["people"] == 6
    pk = started.json()["id"]
    key = str(uuid.uuid4())
    mark = {"uuid": key, "employee": staff.never.pk, "observation": "present"}
    assert post_json(client, f"/api/inspections/{pk}/marks", mark).status_code == 201
    assert post_json(client, f"/api/inspections/{pk}/marks", mark).status_code == 200  # resend: stored once
    outside = post_json(client, f"/api/inspections/{pk}/marks",
                        {"uuid": str(uuid.uuid4()), "employee": staff.outsider.pk, "observation": "present"})
    assert outside.status_code == 422
    assert "tidak termasuk unit yang disidak" in outside.json()["detail"][0]["msg"]
    assert Mark.objects.filter(uuid=key).count() == 1


def test_api_batch_keeps_the_good_marks_and_stores_a_photo(client_for, inspection, staff):
    client = client_for("inspektur")
    photo = "data:image/png;base64," + base64.b64encode(PNG).decode()
    good = item(staff.never, "present", note="Di ruang rapat") | {"observed_at": None, "photo": photo}
    bad = item(staff.outsider, "present") | {"observed_at": None}
    url = f"/api/inspections/{inspection.pk}/marks/batch"
    result = post_json(client, url, {"marks": [good, bad]}).json()
    assert result["accepted"] == [good["uuid"]] and result["rejected"][0]["index"] == 1
    again = post_json(client, url, {"marks": [good, bad]}).json()
    assert again["duplicates"] == [good["uuid"]] and len(again["rejected"]) == 1
    stored = Mark.objects.get()
    assert stored.photo.name.endswith(".png")
    assert client.get(f"/sidak/foto/{stored.uuid}/").getvalue() == PNG
    assert client_for("admin_dinas_kesehatan").get(f"/sidak/foto/{stored.uuid}/").status_code == 403
    detail = client.get(f"/api/inspections/{inspection.pk}").json()
    row = next(r for r in detail["roster"] if r["employee_id"] == staff.never.pk)
    assert row["observation"] == "present" and row["finding"] == FindingKind.UNRECORDED_PRESENT


def test_a_batch_over_the_request_limit_is_refused_as_json_with_the_limit(client_for, inspection, staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    photo = "data:image/png;base64," + base64.b64encode(PNG + b"\x00" * 12_000).decode()
    response = post_json(client_for("inspektur"), f"/api/inspections/{inspection.pk}/marks/batch",
                         {"marks": [item(staff.never, "present") | {"photo": photo}]})
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Kiriman terlalu besar: batasnya 9,8\xa0KB per kiriman.",
                               "limit_bytes": 10_000}
    assert not Mark.objects.exists()


def test_the_roster_announces_the_request_limit_and_what_is_observed(client_for, personas, inspection, staff,
                                                                    settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_234_567
    services.marks_submit(actor=personas.inspektur, inspection=inspection, items=[item(staff.never, "present")],
                          now=CLOSE)
    page = client_for("inspektur").get(f"/sidak/{inspection.pk}/").content.decode()
    assert 'data-request-limit="1234567"' in page
    assert page.count("data-observed>") == 1 and 'data-observed="1" data-scheduled=' in page


def test_the_lead_resolves_and_closes_through_the_pages(client_for, personas, staff, inspection, inspektur_2):
    services.mark_submit(actor=personas.inspektur, inspection=inspection, item=item(staff.never, "present"), now=CLOSE)
    services.mark_submit(actor=inspektur_2, inspection=inspection, item=item(staff.never, "not_found"), now=CLOSE)
    client = client_for("inspektur")
    page = client.get(f"/sidak/{inspection.pk}/").content.decode()
    assert "Pengamatan berbeda" in page
    refused = client.post(f"/sidak/{inspection.pk}/tutup/", {"confirm": "on"}, follow=True)
    assert "belum diselesaikan" in refused.content.decode()
    entry = inspection.entries.get(employee=staff.never)
    client.post(f"/sidak/{inspection.pk}/konflik/{entry.pk}/", {"observation": "not_found", "note": "dicek ulang"})
    assert client.post(f"/sidak/{inspection.pk}/tutup/", {}, follow=True).redirect_chain[-1][0].endswith("#sign-off")
    response = client.post(f"/sidak/{inspection.pk}/tutup/", {"confirm": "on", "note": "Selesai"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/sidak/{inspection.pk}/laporan/"
    assert "Ditutup dan ditandatangani" in response.content.decode()
    assert Finding.objects.get().kind == FindingKind.ABSENT_NO_RECORD


def test_report_pdf_and_xlsx_agree_with_the_report(client_for, closed, staff):
    client = client_for("walikota")
    page = client.get(f"/sidak/{closed.pk}/laporan/").content.decode()
    assert "Dugaan titip absen: 1" in page and "Hadir tanpa rekam: 1" in page
    pdf = client.get(f"/sidak/{closed.pk}/laporan.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/sidak/{closed.pk}/laporan.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["Ringkasan"].iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "Jumlah")
    assert total[1:5] == (6, 3, 2, 2) and total[7] == 2  # scheduled, observed, present, recorded; findings
    assert len(list(book["Daftar hadir"].iter_rows())) == 7
    assert {r[1] for r in book["Temuan"].iter_rows(min_row=2, values_only=True)} == {staff.punched.name,
                                                                                    staff.never.name}
    assert client.get(f"/sidak/{closed.pk}/").status_code == 302  # a closed roster goes to the report


def test_unit_admin_sees_only_findings_assigned_to_their_units_after_closing(client_for, closed, org, staff):
    admin = client_for("admin_dinas_kesehatan")
    assert "Belum ada temuan sidak" in admin.get("/sidak/temuan/").content.decode()
    assert admin.get("/api/inspections/findings/").json() == []
    proxy = Finding.objects.get(kind=FindingKind.PROXY_SUSPECT)
    assert admin.get(f"/sidak/temuan/{proxy.pk}/").status_code == 404
    inspector = client_for("inspektur")
    response = inspector.post(f"/sidak/temuan/{proxy.pk}/", {"action": "assign", "unit": org.dinkes.pk,
                                                               "due_date": "2026-12-08", "note": ""})
    assert response.status_code == 302
    assert [f["id"] for f in admin.get("/api/inspections/findings/").json()] == [proxy.pk]
    assert admin.get(f"/sidak/{closed.pk}/laporan/").status_code == 403  # still not the whole report
    refused = post_json(admin, f"/api/inspections/findings/{proxy.pk}/follow-up", {"status": "done"})
    assert refused.status_code == 422 and "Jelaskan" in refused.json()["detail"][0]["msg"]
    done = admin.post(f"/sidak/temuan/{proxy.pk}/", {"action": "follow_up", "status": "done",
                                                     "note": "Pembinaan dan teguran tertulis"})
    assert done.status_code == 302
    proxy.refresh_from_db()
    assert proxy.follow_up_status == FollowUpStatus.DONE
    assert admin.post(f"/sidak/temuan/{proxy.pk}/", {"action": "assign", "unit": org.dinkes.pk,
                                                     "due_date": "2026-12-08"}).status_code == 403
    assert client_for("outsider").get("/sidak/temuan/").status_code == 403
    other = client_for("lurah_kuin_cerucuk")
    assert other.get(f"/sidak/temuan/{proxy.pk}/").status_code in (403, 404)


def test_history_per_unit_and_per_employee(client_for, closed, org, staff):
    client = client_for("inspektur")
    page = client.get(f"/sidak/temuan/?unit={org.dinkes.pk}").content.decode()
    assert staff.punched.name in page and closed.title in page
    page = client.get(f"/sidak/temuan/?employee={staff.never.pk}").content.decode()
    assert staff.never.name in page and staff.punched.name not in page.split("findings-table")[1]
    assert client.get("/api/inspections/repeat-offenders/").json() == []
    assert str(DAY.year) in client.get("/sidak/").content.decode()


def test_report_letterhead_signature_and_a_typed_spreadsheet(client_for, closed, staff, org, rf):
    from django.template.loader import render_to_string
    from django.utils import timezone as tz

    from satulayar.inspections import exports
    from satulayar.inspections.selectors import inspection_report

    finding = Finding.objects.filter(kind=FindingKind.PROXY_SUSPECT).get()
    finding.assigned_unit, finding.due_date = org.dinkes, dt.date(2000, 1, 3)  # long past, not done: overdue
    finding.follow_up_status = FollowUpStatus.ASSIGNED
    finding.save()
    closed.refresh_from_db()
    html = render_to_string("inspections/report_pdf.html", {
        "inspection": closed, "report": inspection_report(inspection=closed), "printed_at": tz.now(),
        **exports.letter(closed)}, request=rf.get("/"))
    assert 'data-testid="kop-surat"' in html and f"PEMERINTAH {closed.city.name.upper()}" in html
    assert "Ketua Tim Sidak," in html and 'data-testid="signature"' in html
    assert "lewat tenggat" in html
    book = load_workbook(io.BytesIO(client_for("walikota").get(f"/sidak/{closed.pk}/laporan.xlsx").content))
    summary, findings = book["Ringkasan"], book["Temuan"]
    assert summary["B2"].is_date and summary.freeze_panes == "A5"
    assert findings.freeze_panes == "A2" and findings["A1"].font.bold
    due = {row[1].value: row for row in findings.iter_rows(min_row=2)}[finding.employee.name]
    assert due[5].is_date and due[5].value.date() == dt.date(2000, 1, 3) and due[7].value == "ya"
    assert findings.column_dimensions["B"].width > 10
    page = client_for("walikota").get(f"/sidak/{closed.pk}/laporan/").content.decode()
    table = page[page.index('data-testid="unit-summary"'):page.index("</thead>")]
    assert table.count(">Tercatat hadir<") == 1 and ">Hadir tercatat<" not in table  # no look-alike columns
