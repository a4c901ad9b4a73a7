"""The data dictionary of the open data: every column of every download, documented on the page, in the JSON
("columns") and in tests. Column names stay English snake_case for programs; the descriptions are Indonesian."""

from django.utils.translation import gettext_lazy as _

PLACE = [
    ("kelurahan_code", _("Kode wilayah kelurahan (Kemendagri)")),
    ("kelurahan", _("Nama kelurahan")),
    ("kecamatan", _("Nama kecamatan")),
]
SUPPRESSED = ("suppressed", _("true bila sebagian angka baris ini disembunyikan karena terlalu kecil, selain itu "
                              "false"))

COLUMNS = {
    "kunjungan": [
        ("date", _("Tanggal (TTTT-BB-HH, zona waktu kota)")), *PLACE,
        ("visits", _("Jumlah kunjungan (tiket diambil); kosong bila disembunyikan")),
        ("served", _("Jumlah kunjungan yang selesai dilayani; kosong bila disembunyikan")), SUPPRESSED,
    ],
    "waktu-layanan": [
        *PLACE,
        ("tickets_called", _("Jumlah tiket yang dipanggil")),
        ("wait_median_min", _("Median waktu tunggu, menit (desimal dengan titik)")),
        ("wait_p90_min", _("Persentil ke-90 waktu tunggu, menit")),
        ("tickets_served", _("Jumlah tiket yang selesai dilayani")),
        ("service_median_min", _("Median lama layanan, menit")), SUPPRESSED,
    ],
    "ikm": [
        *PLACE,
        ("respondents", _("Jumlah responden survei kepuasan")),
        ("ikm", _("Indeks Kepuasan Masyarakat, 25–100 (PermenPANRB 14/2017)")),
        ("grade", _("Mutu pelayanan: A, B, C atau D")), SUPPRESSED,
    ],
    "indikator": [
        ("code", _("Kode indikator")), ("name", _("Nama indikator")), ("unit", _("Satuan")),
        ("period", _("Periode nilai (tanggal awal)")), ("dimension", _("Rincian (misalnya jenis kelamin)")),
        ("dimension_key", _("Kode rincian")), ("value", _("Nilai (desimal dengan titik)")),
    ],
}


def names(dataset: str) -> list[str]:
    return [name for name, _description in COLUMNS[dataset]]


def described(dataset: str) -> dict[str, str]:
    return {name: str(description) for name, description in COLUMNS[dataset]}
