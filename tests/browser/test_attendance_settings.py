"""The attendance settings pages in a real browser: the HR admin adds a city holiday from the navigation and sees a
refusal on the field; a unit admin sets a schedule for a unit of their subtree on a phone-sized screen; the HR
admin sets a TPP rule, Ramadan hours, a night shift and a machine command (a refused one first)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from satulayar.attendance.choices import CalendarDayKind
from satulayar.attendance.models import CalendarDay, WorkSchedule
from satulayar.org.choices import Role
from satulayar.org.services import role_assign
from tests.factories import make_unit


def user(username: str, role, city, unit=None):
    account = get_user_model().objects.create_user(username=username, is_staff=True)
    account.set_password("satulayar")
    account.save()
    role_assign(actor=None, user=account, role=role, city=city, unit=unit)
    return account


@pytest.fixture
def offices(transactional_db, city):
    dinkes = make_unit(city, "Dinas Kesehatan", "DINKES", short_name="Dinkes")
    make_unit(city, "Puskesmas Teluk Dalam", "DINKES-PKM-TD", parent=dinkes)
    make_unit(city, "Dinas Pendidikan", "DISDIK", short_name="Disdik")
    user("bkpsdm_uji", Role.HR_ADMIN, city)
    user("admin_dinkes_uji", Role.UNIT_ADMIN, city, unit=dinkes)
    return dinkes


def test_hr_admin_adds_a_city_holiday(offices, live_server, browser, login, console_errors):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, "bkpsdm_uji")
    page.locator("#sidebar-menu").get_by_role("link", name="Kalender kerja").click()
    page.wait_for_url("**/kehadiran/kalender/")
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("Tanggal", exact=True).fill("2026-09-24")
    form.get_by_label("Jenis hari").select_option(CalendarDayKind.CITY_HOLIDAY)
    form.get_by_label("Nama hari").fill("   ")
    form.get_by_role("button", name="Simpan hari").click()
    page.locator("#id_name-error").wait_for()
    form = page.get_by_test_id("calendar-form")
    assert form.get_by_label("Nama hari").get_attribute("aria-invalid") == "true"
    assert not CalendarDay.objects.exists()

    form.get_by_label("Nama hari").fill("Hari Jadi Kota Banjarmasin")
    form.get_by_role("button", name="Simpan hari").click()
    page.get_by_text("Hari Jadi Kota Banjarmasin pada 24-09-2026 tersimpan.").wait_for()
    row = page.get_by_test_id("calendar-day").filter(has_text="Hari Jadi Kota Banjarmasin")
    assert "Libur daerah" in row.inner_text()
    assert CalendarDay.objects.get().date == dt.date(2026, 9, 24)
    assert console_errors == []
    context.close()


def test_unit_admin_sets_a_schedule_on_a_phone(offices, live_server, browser, login, console_errors):
    context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    login(page, "admin_dinkes_uji")
    page.goto(f"{live_server.url}/kehadiran/jadwal/")
    options = page.get_by_label("Unit kerja", exact=True).locator("option").all_inner_texts()
    assert any("Puskesmas Teluk Dalam" in o for o in options) and not any("Pendidikan" in o for o in options)
    page.get_by_label("Unit kerja", exact=True).select_option(label="— Puskesmas Teluk Dalam")
    page.get_by_role("button", name="Tampilkan").click()
    page.get_by_role("heading", name="Tetapkan jadwal Puskesmas Teluk Dalam").wait_for()
    form = page.get_by_test_id("schedule-form")
    form.get_by_label("Nama jadwal").fill("Jam pelayanan Puskesmas")
    form.get_by_label("Berlaku mulai").fill("2026-01-05")
    form.get_by_label("Sabtu masuk").fill("08:00")
    form.get_by_role("button", name="Simpan jadwal").click()
    page.get_by_text("Isi jam masuk dan jam pulang").wait_for()
    assert not WorkSchedule.objects.exists()

    form = page.get_by_test_id("schedule-form")
    form.get_by_label("Sabtu pulang").fill("12:00")
    form.get_by_role("button", name="Simpan jadwal").click()
    page.get_by_text("Jadwal Jam pelayanan Puskesmas untuk Puskesmas Teluk Dalam berlaku mulai 05-01-2026.").wait_for()
    schedule = WorkSchedule.objects.get()
    assert schedule.unit.name == "Puskesmas Teluk Dalam"
    assert schedule.days.get(weekday=5).end_time == dt.time(12)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert console_errors == []
    context.close()


def test_hr_admin_sets_tpp_special_hours_a_shift_and_a_machine_command(offices, live_server, browser, login,
                                                                       console_errors):
    from satulayar.attendance import devices
    from satulayar.attendance.models import DeviceCommand, Shift, SpecialHours, TppRule
    from satulayar.core.time import local_date
    from tests.factories import make_employee

    nurse = make_employee(offices, "Rahmah Yuliani")
    machine = devices.device_register(actor=get_user_model().objects.get(username="bkpsdm_uji"), city=offices.city,
                                      serial_number="UJI0001", name="Lobi Dinkes")
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    login(page, "bkpsdm_uji")

    page.goto(f"{live_server.url}/kehadiran/tpp/")
    form = page.get_by_test_id("tpp-form")
    form.get_by_label("Pelanggaran").select_option("late")
    form.get_by_label("Dari menit").fill("1")
    form.get_by_label("Sampai menit").fill("30")
    form.get_by_label("Potongan (%)").fill("0.5")
    form.get_by_role("button", name="Simpan aturan").click()
    page.get_by_test_id("tpp-rule").filter(has_text="Terlambat").wait_for()
    assert TppRule.objects.get().max_minutes == 30

    page.goto(f"{live_server.url}/kehadiran/kalender/")
    form = page.get_by_test_id("special-hours-form")
    form.get_by_label("Nama periode").fill("Ramadan 1448 H")
    form.get_by_label("Mulai tanggal").fill("2027-02-08")
    form.get_by_label("Sampai tanggal").fill("2027-03-09")
    form.get_by_label("Jam masuk").fill("08:00")
    form.get_by_label("Jam pulang", exact=True).fill("15:00")
    form.get_by_label("Jam pulang hari Jumat").fill("11:30")
    form.get_by_role("button").click()
    page.get_by_test_id("special-hours").filter(has_text="Ramadan 1448 H").wait_for()
    assert SpecialHours.objects.get().name == "Ramadan 1448 H"

    page.goto(f"{live_server.url}/kehadiran/jadwal/?unit={offices.pk}")
    form = page.get_by_test_id("shift-form")
    form.get_by_label("Pegawai").select_option(str(nurse.pk))
    tomorrow = local_date(offices.city) + dt.timedelta(days=1)
    form.get_by_label("Tanggal sif").fill(tomorrow.isoformat())
    form.get_by_label("Jam mulai").fill("20:00")
    form.get_by_label("Jam selesai").fill("08:00")
    form.get_by_role("button", name="Simpan sif").click()
    page.get_by_test_id("shift-row").filter(has_text="Rahmah Yuliani").wait_for()
    assert Shift.objects.get().employee == nurse

    page.goto(f"{live_server.url}/kehadiran/mesin/{machine.pk}/")
    form = page.get_by_test_id("command-form")
    form.get_by_label("Perintah").fill("SHELL ls")
    form.get_by_role("button", name="Antrekan perintah").click()
    page.get_by_text("Perintah Shell tidak pernah diizinkan").first.wait_for()
    assert not DeviceCommand.objects.exists()
    form = page.get_by_test_id("command-form")
    form.get_by_label("Perintah").fill("INFO")
    form.get_by_role("button", name="Antrekan perintah").click()
    page.get_by_test_id("command-row").filter(has_text="INFO").wait_for()
    assert DeviceCommand.objects.get().command == "INFO"
    assert console_errors == []
    context.close()
