"""The standard catalogue and one kelurahan's view of it (overrides)."""

from satulayar.audit.models import AuditEntry
from satulayar.visits.catalogue import DEFAULT_SERVICES, service_catalogue_for, services_seed_default
from satulayar.visits.models import Service, ServiceOverride
from tests.factories import kelurahan_named


def test_the_default_catalogue_has_the_ten_front_office_services(city):
    added = services_seed_default(city=city)
    assert [(s.prefix, s.name) for s in Service.objects.filter(city=city)] == [
        ("A", "Surat Pengantar KTP-el"), ("B", "Surat Pengantar Kartu Keluarga"), ("C", "Surat Keterangan Domisili"),
        ("D", "Surat Keterangan Tidak Mampu (SKTM)"), ("E", "Surat Keterangan Usaha (SKU)"),
        ("F", "Surat Pengantar Nikah (N1–N4)"), ("G", "Surat Keterangan Ahli Waris"),
        ("H", "Surat Keterangan Kematian"), ("I", "Surat Keterangan Pindah"), ("J", "Legalisir dan Layanan Lainnya")]
    assert len(added) == 10
    assert all(10 <= s.sla_minutes <= 30 for s in added)
    sktm = Service.objects.get(code="sktm")
    assert sktm.requirements.splitlines()[:2] == ["Surat pengantar RT/RW", "Fotokopi KTP-el dan Kartu Keluarga"]
    entry = AuditEntry.objects.get(object_type="visits.service")
    assert (entry.actor_label, entry.action) == ("sistem", "create")
    assert entry.note.startswith("10 layanan kelurahan standar")


def test_seeding_again_adds_nothing_and_keeps_edits(city):
    services_seed_default(city=city)
    Service.objects.filter(code="sku").update(sla_minutes=25, active=False)
    Service.objects.filter(code="legalisir-lainnya").delete()
    again = services_seed_default(city=city)
    assert [s.code for s in again] == ["legalisir-lainnya"]  # only what is missing comes back
    assert Service.objects.filter(city=city).count() == len(DEFAULT_SERVICES)
    assert Service.objects.filter(code="sku", sla_minutes=25, active=False).exists()
    assert services_seed_default(city=city) == []
    assert AuditEntry.objects.filter(object_type="visits.service").count() == 2


def test_a_kelurahan_overrides_switch_off_and_change_requirements_and_target(org):
    services_seed_default(city=org.city)
    ktp, sku, nikah = (Service.objects.get(code=code) for code in ("pengantar-ktp-el", "sku", "pengantar-nikah"))
    ServiceOverride.objects.create(kelurahan=org.kuin, service=sku, active=False)
    ServiceOverride.objects.create(kelurahan=org.kuin, service=ktp, requirements="Surat pengantar RT/RW\nFotokopi KK")
    ServiceOverride.objects.create(kelurahan=org.kuin, service=nikah, sla_minutes=45)
    Service.objects.filter(code="legalisir-lainnya").update(active=False)  # off in the whole city

    offered = {service.code: (requirements, sla) for service, requirements, sla in
               service_catalogue_for(kelurahan=org.kuin)}
    assert "sku" not in offered and "legalisir-lainnya" not in offered
    assert len(offered) == 8
    assert offered["pengantar-ktp-el"] == ("Surat pengantar RT/RW\nFotokopi KK", 10)  # own papers, catalogue time
    assert offered["pengantar-nikah"] == (nikah.requirements, 45)  # catalogue papers, own time

    utara = kelurahan_named("Kuin Utara")  # no overrides: the catalogue as it is
    elsewhere = {service.code: sla for service, _req, sla in service_catalogue_for(kelurahan=utara)}
    assert "sku" in elsewhere and elsewhere["pengantar-nikah"] == 30

