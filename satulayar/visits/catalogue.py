"""The service catalogue: the standard front-office services of a city's kelurahan, and one office's view of it.

A city keeps one catalogue (Service); a kelurahan may switch a service off or give it its own requirements or
target time (ServiceOverride). `service_catalogue_for` is one office's resolved list (the metrics resolve the
target time of past tickets the same way, in the database: `selectors._resolved_sla`).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record
from satulayar.org.models import City, Kelurahan
from satulayar.visits.models import Service, ServiceOutcome


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    prefix: str
    name: str
    sla_minutes: int
    requirements: tuple[str, ...]

    @property
    def requirement_text(self) -> str:
        """One requirement a line, as the desk and the public page list them."""
        return "\n".join(self.requirements)


# The front office of a Banjarmasin kelurahan (surat pengantar go on to Disdukcapil or the KUA; the kelurahan's own
# letters are signed by the lurah). Target times are the desk's part only: checking the papers and printing.
DEFAULT_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("pengantar-ktp-el", "A", "Surat Pengantar KTP-el", 10, (
        "Surat pengantar RT/RW",
        "Fotokopi Kartu Keluarga",
        "KTP-el lama (penggantian karena rusak atau perubahan data)",
        "Surat keterangan kehilangan dari kepolisian (jika KTP-el hilang)",
    )),
    ServiceSpec("pengantar-kk", "B", "Surat Pengantar Kartu Keluarga", 15, (
        "Surat pengantar RT/RW",
        "Kartu Keluarga asli",
        "Fotokopi buku nikah atau akta perkawinan",
        "Fotokopi akta kelahiran anggota keluarga yang ditambahkan",
        "Surat keterangan pindah (bagi pendatang)",
    )),
    ServiceSpec("sk-domisili", "C", "Surat Keterangan Domisili", 15, (
        "Surat pengantar RT/RW",
        "Fotokopi KTP-el",
        "Fotokopi Kartu Keluarga",
        "Akta pendirian (untuk domisili lembaga atau yayasan)",
    )),
    ServiceSpec("sktm", "D", "Surat Keterangan Tidak Mampu (SKTM)", 20, (
        "Surat pengantar RT/RW",
        "Fotokopi KTP-el dan Kartu Keluarga",
        "Surat pernyataan tidak mampu bermeterai",
        "Keperluan SKTM (sekolah, berobat, atau bantuan sosial)",
    )),
    ServiceSpec("sku", "E", "Surat Keterangan Usaha (SKU)", 20, (
        "Surat pengantar RT/RW",
        "Fotokopi KTP-el dan Kartu Keluarga",
        "Foto tempat usaha",
        "Bukti lunas PBB tahun berjalan",
    )),
    ServiceSpec("pengantar-nikah", "F", "Surat Pengantar Nikah (N1–N4)", 30, (
        "Surat pengantar RT/RW",
        "Fotokopi KTP-el dan Kartu Keluarga calon pengantin",
        "Fotokopi akta kelahiran atau ijazah terakhir",
        "Pas foto 2x3 dan 3x4 latar biru, masing-masing 4 lembar",
        "Fotokopi KTP-el kedua orang tua",
        "Akta cerai atau surat keterangan kematian pasangan (bagi duda atau janda)",
    )),
    ServiceSpec("sk-ahli-waris", "G", "Surat Keterangan Ahli Waris", 30, (
        "Surat pengantar RT/RW",
        "Surat pernyataan ahli waris bermeterai, ditandatangani semua ahli waris dan dua saksi",
        "Fotokopi surat keterangan kematian pewaris",
        "Fotokopi KTP-el dan Kartu Keluarga semua ahli waris",
        "Fotokopi buku nikah pewaris",
    )),
    ServiceSpec("sk-kematian", "H", "Surat Keterangan Kematian", 15, (
        "Surat pengantar RT/RW",
        "Surat keterangan kematian dari rumah sakit atau dokter (jika ada)",
        "KTP-el dan Kartu Keluarga almarhum/almarhumah",
        "Fotokopi KTP-el pelapor dan dua orang saksi",
    )),
    ServiceSpec("sk-pindah", "I", "Surat Keterangan Pindah", 20, (
        "Surat pengantar RT/RW",
        "Kartu Keluarga asli dan KTP-el asli",
        "Alamat tujuan pindah yang lengkap",
        "Daftar anggota keluarga yang ikut pindah",
    )),
    ServiceSpec("legalisir-lainnya", "J", "Legalisir dan Layanan Lainnya", 10, (
        "Dokumen asli dan fotokopinya",
        "Fotokopi KTP-el pemohon",
    )),
)


# What the desk hands over for each standard service, for the outcome recorded when a visit is finished.
DEFAULT_OUTCOMES: dict[str, tuple[str, ...]] = {
    "pengantar-ktp-el": ("Surat pengantar perekaman KTP-el", "Surat pengantar penggantian KTP-el"),
    "pengantar-kk": ("Surat pengantar KK baru", "Surat pengantar perubahan KK"),
    "sk-domisili": ("Surat keterangan domisili",),
    "sktm": ("Surat keterangan tidak mampu",),
    "sku": ("Surat keterangan usaha",),
    "pengantar-nikah": ("Surat pengantar nikah N1–N4",),
    "sk-ahli-waris": ("Surat keterangan ahli waris",),
    "sk-kematian": ("Surat keterangan kematian",),
    "sk-pindah": ("Surat keterangan pindah",),
    "legalisir-lainnya": ("Legalisir dokumen", "Surat keterangan lainnya"),
}


@transaction.atomic
def service_outcomes_seed(*, city: City) -> int:
    """Give each standard service of the city that has no outcome list the standard one. Returns rows added."""
    have = set(ServiceOutcome.objects.filter(service__city=city).values_list("service_id", flat=True))
    added = [ServiceOutcome(service=service, name=name, order=order)
             for service in Service.objects.filter(city=city, code__in=DEFAULT_OUTCOMES).exclude(pk__in=have)
             for order, name in enumerate(DEFAULT_OUTCOMES[service.code], start=1)]
    ServiceOutcome.objects.bulk_create(added)
    if added:
        audit_record(actor=None, action=AuditAction.CREATE, object_type=ServiceOutcome._meta.label_lower,
                     object_repr=_("Hasil layanan %(city)s") % {"city": city},
                     note=_("%(n)s hasil layanan standar") % {"n": len(added)})
    return len(added)


@transaction.atomic
def services_seed_default(*, city: City) -> list[Service]:
    """Add the standard services the city's catalogue lacks (by code) and return the ones added.

    Idempotent: a second run adds nothing, and services an admin edited or switched off keep their edits.
    """
    known = set(Service.objects.filter(city=city).values_list("code", flat=True))
    taken_prefixes = set(Service.objects.filter(city=city).values_list("prefix", flat=True))
    added = []
    for order, spec in enumerate(DEFAULT_SERVICES, start=1):
        if spec.code in known or spec.prefix in taken_prefixes:
            continue
        service = Service(city=city, code=spec.code, prefix=spec.prefix, name=spec.name,
                          requirements=spec.requirement_text, sla_minutes=spec.sla_minutes, order=order)
        service.full_clean()
        added.append(service)
    Service.objects.bulk_create(added)
    if added:
        audit_record(actor=None, action=AuditAction.CREATE, object_type=Service._meta.label_lower,
                     object_repr=_("Katalog layanan %(city)s") % {"city": city},
                     note=_("%(n)s layanan kelurahan standar: %(codes)s")
                     % {"n": len(added), "codes": ", ".join(s.code for s in added)})
    service_outcomes_seed(city=city)
    return added


def service_catalogue_for(*, kelurahan: Kelurahan) -> list[tuple[Service, str, int]]:
    """(service, requirements, target minutes) as this kelurahan offers them: overrides applied, services
    switched off — in the city catalogue or by the kelurahan — left out."""
    from satulayar.visits.services import services_offered  # the desk's resolution; one rule for both

    return [(offered.service, offered.requirements, offered.sla_minutes)
            for offered in services_offered(kelurahan=kelurahan)]
