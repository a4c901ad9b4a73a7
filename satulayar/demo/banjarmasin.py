"""Pemko Banjarmasin as the demo sees it: its SKPD, their parts, Puskesmas and schools, and where offices stand.

Names follow the city's organisation; headcounts, schools' locations and addresses are made up.
"""

from satulayar.demo.organisation import Office, Part, Skpd
from satulayar.org.choices import UnitKind

CITY_HALL = (-3.3186, 114.5925)  # Balai Kota, Jl. R.E. Martadinata No. 1
STREETS = (
    "Jl. Lambung Mangkurat", "Jl. Pangeran Antasari", "Jl. Jenderal Ahmad Yani", "Jl. Sultan Adam",
    "Jl. Brigjen H. Hasan Basri", "Jl. Pramuka", "Jl. Kayu Tangi", "Jl. Veteran", "Jl. Jenderal Sudirman",
    "Jl. Gatot Subroto", "Jl. S. Parman", "Jl. Belitung Darat", "Jl. Cempaka Besar", "Jl. Simpang Ulin",
    "Jl. Pangeran Hidayatullah", "Jl. Sungai Andai", "Jl. Kapten Piere Tendean", "Jl. Pangeran Samudera",
)

SEKRETARIAT = Part("SEKRE", "Sekretariat", UnitKind.SEKRETARIAT, weight=1.3)

HEALTH_STAFF = (
    ("Dokter", 3), ("Dokter Gigi", 1), ("Perawat", 8), ("Bidan", 6), ("Apoteker", 1),
    ("Tenaga Teknis Kefarmasian", 1), ("Pranata Laboratorium Kesehatan", 1), ("Tenaga Sanitasi Lingkungan", 1),
    ("Nutrisionis", 1), ("Perekam Medis", 1), ("Penyuluh Kesehatan Masyarakat", 1),
    ("Pengadministrasi Perkantoran", 2),
)
HOSPITAL_STAFF = (
    ("Dokter Spesialis Penyakit Dalam", 0.6), ("Dokter Spesialis Anak", 0.5),
    ("Dokter Spesialis Obstetri dan Ginekologi", 0.5), ("Dokter Spesialis Bedah", 0.5),
    ("Dokter Spesialis Anestesiologi", 0.3), ("Dokter Spesialis Radiologi", 0.2), ("Dokter", 3), ("Perawat", 14),
    ("Bidan", 3), ("Apoteker", 1), ("Tenaga Teknis Kefarmasian", 2), ("Pranata Laboratorium Kesehatan", 2),
    ("Radiografer", 1), ("Fisioterapis", 1), ("Nutrisionis", 1), ("Perekam Medis", 2),
    ("Pengadministrasi Perkantoran", 2),
)
SCHOOL_STAFF = (("Guru", 14), ("Pengadministrasi Perkantoran", 1), ("Pustakawan", 0.4))
HOSPITAL_OFFICE_STAFF = (("Pengadministrasi Perkantoran", 3), ("Pengelola Layanan Operasional", 2),
                         ("Bendahara", 1), ("Analis Keuangan Pusat dan Daerah", 1), ("Pranata Komputer", 0.5))


def _slug(name: str) -> str:
    return name.upper().replace(" ", "-")


def puskesmas(name: str, kelurahan_code: str) -> Part:
    return Part(f"PKM-{_slug(name)}", f"Puskesmas {name}", UnitKind.UPT, weight=5, head="Kepala Puskesmas",
                leaders=("Kepala Subbagian Tata Usaha",), staff=HEALTH_STAFF, site_kelurahan=kelurahan_code)


def school(name: str, suffix: str, kelurahan_code: str, *, weight: float) -> Part:
    return Part(suffix, name, UnitKind.UPT, weight=weight, head="Kepala Sekolah", staff=SCHOOL_STAFF,
                field="pendidikan", site_kelurahan=kelurahan_code)


def smp(number: int, kelurahan_code: str) -> Part:
    return school(f"SMP Negeri {number} Banjarmasin", f"SMPN-{number}", kelurahan_code, weight=7)


def sd(place: str, number: int, kelurahan_code: str) -> Part:
    return school(f"SD Negeri {place} {number}", f"SDN-{_slug(place)}-{number}", kelurahan_code, weight=3.5)


def bidang(suffix: str, name: str) -> Part:
    return Part(suffix, name)


def bagian(suffix: str, name: str, *staff: tuple[str, float], field: str = "") -> Part:
    return Part(suffix, name, UnitKind.BAGIAN, staff=staff, field=field)


SETDA = Skpd(
    "SETDA", "Sekretariat Daerah", "Setda", UnitKind.SEKRETARIAT, "Sekretaris Daerah", 230, "umum",
    (("Analis Kebijakan", 2),),
    (
        bagian("PEM", "Bagian Pemerintahan", ("Analis Kebijakan", 2), ("Penata Layanan Operasional", 2),
               ("Pengadministrasi Perkantoran", 2)),
        bagian("HUK", "Bagian Hukum", ("Perancang Peraturan Perundang-undangan", 3), ("Analis Hukum", 2),
               ("Pengadministrasi Perkantoran", 2), field="hukum"),
        bagian("ORG", "Bagian Organisasi", ("Analis Kebijakan", 2), ("Analis Sumber Daya Manusia Aparatur", 1),
               ("Penata Layanan Operasional", 2), ("Pengadministrasi Perkantoran", 1)),
        bagian("UMUM", "Bagian Umum", ("Pengadministrasi Perkantoran", 3), ("Pengelola Layanan Operasional", 3),
               ("Operator Layanan Operasional", 2), ("Arsiparis", 1)),
        bagian("EKO", "Bagian Perekonomian", ("Analis Kebijakan", 2), ("Penata Layanan Operasional", 2),
               ("Pengadministrasi Perkantoran", 1), field="ekonomi"),
        bagian("KESRA", "Bagian Kesejahteraan Rakyat", ("Analis Kebijakan", 2), ("Penata Layanan Operasional", 2),
               ("Pengadministrasi Perkantoran", 1)),
        bagian("PBJ", "Bagian Pengadaan Barang dan Jasa", ("Pengelola Pengadaan Barang/Jasa", 4),
               ("Pengadministrasi Perkantoran", 1), field="ekonomi"),
        bagian("PROKOPIM", "Bagian Protokol dan Komunikasi Pimpinan", ("Pranata Humas", 3),
               ("Penata Layanan Operasional", 1), ("Pengelola Layanan Operasional", 2), field="komunikasi"),
    ),
    root_weight=1.0,
    leaders=("Asisten Pemerintahan dan Kesejahteraan Rakyat", "Asisten Perekonomian dan Pembangunan",
             "Asisten Administrasi Umum", "Staf Ahli Wali Kota Bidang Hukum, Politik dan Pemerintahan",
             "Staf Ahli Wali Kota Bidang Ekonomi, Keuangan dan Pembangunan",
             "Staf Ahli Wali Kota Bidang Kemasyarakatan dan Sumber Daya Manusia"),
    office=Office("Balai Kota Banjarmasin", "Jl. R.E. Martadinata No. 1", CITY_HALL),
)

CATALOGUE: tuple[Skpd, ...] = (
    SETDA,
    Skpd("SETWAN", "Sekretariat DPRD", "Setwan", UnitKind.SEKRETARIAT, "Sekretaris DPRD", 70, "umum",
         (("Analis Kebijakan", 2), ("Perancang Peraturan Perundang-undangan", 1), ("Pranata Humas", 1)),
         (bagian("UMUM", "Bagian Umum dan Keuangan"),
          bagian("SIDANG", "Bagian Persidangan dan Perundang-undangan"),
          bagian("FASIL", "Bagian Fasilitasi Penganggaran dan Pengawasan"))),
    Skpd("INSPEKTORAT", "Inspektorat Daerah", "Inspektorat", UnitKind.INSPEKTORAT, "Inspektur", 60, "ekonomi",
         (("Auditor", 3), ("Pengawas Penyelenggaraan Urusan Pemerintahan Daerah", 3)),
         (SEKRETARIAT,
          Part("IRBAN-1", "Inspektur Pembantu Wilayah I", head="Inspektur Pembantu"),
          Part("IRBAN-2", "Inspektur Pembantu Wilayah II", head="Inspektur Pembantu"),
          Part("IRBAN-3", "Inspektur Pembantu Wilayah III", head="Inspektur Pembantu"))),
    Skpd("BAPPEDALITBANG", "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan", "Bappedalitbang",
         UnitKind.BADAN, "Kepala Badan", 70, "umum", (("Perencana", 4), ("Peneliti", 1)),
         (SEKRETARIAT, bidang("PPM", "Bidang Pemerintahan dan Pembangunan Manusia"),
          bidang("PEREKIM", "Bidang Perekonomian, Infrastruktur dan Kewilayahan"),
          bidang("LITBANG", "Bidang Penelitian dan Pengembangan"))),
    Skpd("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", UnitKind.BADAN,
         "Kepala Badan", 70, "umum",
         (("Analis Sumber Daya Manusia Aparatur", 3), ("Pranata Sumber Daya Manusia Aparatur", 2),
          ("Asesor Sumber Daya Manusia Aparatur", 1), ("Pranata Komputer", 1)),
         (SEKRETARIAT, bidang("MUTASI", "Bidang Mutasi dan Promosi"),
          bidang("PSDM", "Bidang Pengembangan Sumber Daya Manusia"),
          bidang("DISIPLIN", "Bidang Penilaian Kinerja, Disiplin dan Penghargaan"))),
    Skpd("BPKPAD", "Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah", "BPKPAD", UnitKind.BADAN,
         "Kepala Badan", 150, "ekonomi",
         (("Analis Keuangan Pusat dan Daerah", 3), ("Penilai Pajak Daerah", 1), ("Bendahara", 1),
          ("Pengelola Barang Milik Daerah", 1)),
         (SEKRETARIAT, bidang("ANGGARAN", "Bidang Anggaran"), bidang("PERBEND", "Bidang Perbendaharaan"),
          bidang("PENDAPATAN", "Bidang Pendapatan Daerah"), bidang("ASET", "Bidang Aset Daerah"))),
    Skpd("BPBD", "Badan Penanggulangan Bencana Daerah", "BPBD", UnitKind.BADAN, "Kepala Pelaksana", 60, "umum",
         (("Analis Bencana", 3), ("Pengelola Layanan Operasional", 1)),
         (SEKRETARIAT, bidang("PENCEGAHAN", "Bidang Pencegahan dan Kesiapsiagaan"),
          bidang("DARURAT", "Bidang Kedaruratan dan Logistik"),
          bidang("REHAB", "Bidang Rehabilitasi dan Rekonstruksi"))),
    Skpd("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "Kesbangpol", UnitKind.BADAN, "Kepala Badan", 40,
         "umum", (("Analis Kebijakan", 3),),
         (SEKRETARIAT, bidang("IDEOLOGI", "Bidang Ideologi, Wawasan Kebangsaan dan Politik"),
          bidang("KEWASPADAAN", "Bidang Kewaspadaan Nasional dan Penanganan Konflik"))),
    Skpd("DISDIK", "Dinas Pendidikan", "Disdik", UnitKind.DINAS, "Kepala Dinas", 1500, "pendidikan",
         (("Pengawas Sekolah", 2), ("Penilik", 1), ("Analis Kebijakan", 1)),
         (SEKRETARIAT, bidang("SD", "Bidang Pembinaan Sekolah Dasar"),
          bidang("SMP", "Bidang Pembinaan Sekolah Menengah Pertama"),
          bidang("PAUD", "Bidang Pembinaan PAUD dan Pendidikan Nonformal"),
          bidang("GTK", "Bidang Pendidik dan Tenaga Kependidikan"),
          smp(1, "63.71.05.1005"), smp(2, "63.71.05.1010"), smp(3, "63.71.03.1005"), smp(4, "63.71.04.1005"),
          smp(5, "63.71.02.1004"), smp(6, "63.71.01.1002"), smp(7, "63.71.04.1007"), smp(8, "63.71.01.1010"),
          sd("Sungai Miai", 5, "63.71.04.1005"), sd("Kuin Cerucuk", 1, "63.71.03.1008"),
          sd("Teluk Dalam", 3, "63.71.05.1004"), sd("Pekapuran Raya", 2, "63.71.02.1008"),
          sd("Kelayan Selatan", 4, "63.71.01.1002"), sd("Alalak Utara", 2, "63.71.04.1002"),
          sd("Pelambuan", 6, "63.71.03.1003"), sd("Sungai Bilu", 1, "63.71.02.1004"),
          sd("Mawar", 2, "63.71.05.1003"), sd("Basirih", 7, "63.71.03.1009"),
          sd("Pemurus Dalam", 3, "63.71.01.1010"), sd("Kebun Bunga", 5, "63.71.02.1002"))),
    Skpd("DINKES", "Dinas Kesehatan", "Dinkes", UnitKind.DINAS, "Kepala Dinas", 850, "kesehatan",
         (("Administrator Kesehatan", 2), ("Epidemiolog Kesehatan", 1), ("Penyuluh Kesehatan Masyarakat", 1)),
         (SEKRETARIAT, bidang("KESMAS", "Bidang Kesehatan Masyarakat"),
          bidang("P2P", "Bidang Pencegahan dan Pengendalian Penyakit"),
          bidang("YANKES", "Bidang Pelayanan dan Sumber Daya Kesehatan"),
          puskesmas("Kuin Raya", "63.71.04.1009"), puskesmas("Teluk Dalam", "63.71.05.1004"),
          puskesmas("Pekapuran Raya", "63.71.02.1008"), puskesmas("Cempaka", "63.71.05.1003"),
          puskesmas("Sungai Jingah", "63.71.04.1004"), puskesmas("Alalak Selatan", "63.71.04.1003"),
          puskesmas("Teluk Tiram", "63.71.03.1006"), puskesmas("Pelambuan", "63.71.03.1003"),
          puskesmas("Kelayan Timur", "63.71.01.1008"), puskesmas("Pemurus Baru", "63.71.01.1011"),
          puskesmas("Sungai Bilu", "63.71.02.1004"), puskesmas("Karang Mekar", "63.71.02.1003"))),
    Skpd("RSUD", "RSUD Sultan Suriansyah", "RSUD Sultan Suriansyah", UnitKind.RUMAH_SAKIT, "Direktur", 420,
         "dokter", HOSPITAL_STAFF,
         (bagian("UMUM", "Bagian Umum dan Keuangan", *HOSPITAL_OFFICE_STAFF, field="ekonomi"),
          Part("YANMED", "Bidang Pelayanan Medik", staff=HOSPITAL_STAFF),
          Part("KEP", "Bidang Keperawatan", staff=(("Perawat", 6), ("Bidan", 1), ("Pengadministrasi Perkantoran", 1)),
               field="perawat"),
          Part("PENUNJANG", "Bidang Penunjang Medik dan Nonmedik", field="kesehatan")),
         root_weight=6.0, office=Office("RSUD Sultan Suriansyah", "Jl. Rantauan Darat")),
    Skpd("RSKGM", "Rumah Sakit Khusus Gigi dan Mulut Gusti Hasan Aman", "RSKGM Gusti Hasan Aman",
         UnitKind.RUMAH_SAKIT, "Direktur", 90, "dokter_gigi",
         (("Dokter Gigi", 3), ("Terapis Gigi dan Mulut", 3), ("Perawat", 2), ("Perekam Medis", 1)),
         (bagian("TU", "Bagian Tata Usaha", *HOSPITAL_OFFICE_STAFF, field="umum"), bidang("YAN", "Bidang Pelayanan")),
         root_weight=3.0, office=Office("RS Khusus Gigi dan Mulut Gusti Hasan Aman")),
    Skpd("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR", UnitKind.DINAS, "Kepala Dinas", 160,
         "teknik", (("Teknik Jalan dan Jembatan", 2), ("Penata Ruang", 1), ("Teknik Tata Bangunan dan Perumahan", 1)),
         (SEKRETARIAT, bidang("BM", "Bidang Bina Marga"), bidang("CK", "Bidang Cipta Karya"),
          bidang("TR", "Bidang Penataan Ruang"), bidang("JAKON", "Bidang Jasa Konstruksi"))),
    Skpd("PERKIM", "Dinas Perumahan Rakyat dan Kawasan Permukiman", "Disperkim", UnitKind.DINAS, "Kepala Dinas",
         90, "teknik", (("Teknik Tata Bangunan dan Perumahan", 2), ("Pengawas Bangunan Gedung", 1)),
         (SEKRETARIAT, bidang("PERUMAHAN", "Bidang Perumahan"), bidang("KAWASAN", "Bidang Kawasan Permukiman"),
          bidang("PSU", "Bidang Prasarana, Sarana dan Utilitas Umum"))),
    Skpd("SATPOLPP", "Satuan Polisi Pamong Praja", "Satpol PP", UnitKind.SATUAN, "Kepala Satuan", 230, "umum",
         (("Polisi Pamong Praja", 8), ("Analis Kebijakan", 1)),
         (SEKRETARIAT, bidang("GAKDA", "Bidang Penegakan Perundang-undangan Daerah"),
          bidang("TIBUM", "Bidang Ketertiban Umum dan Ketenteraman Masyarakat"),
          bidang("LINMAS", "Bidang Perlindungan Masyarakat"))),
    Skpd("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "Damkar", UnitKind.DINAS, "Kepala Dinas", 170,
         "umum", (("Pemadam Kebakaran", 8), ("Analis Kebakaran", 1), ("Inspektur Kebakaran", 1)),
         (SEKRETARIAT, bidang("OPS", "Bidang Operasi Pemadaman dan Penyelamatan"),
          bidang("CEGAH", "Bidang Pencegahan Kebakaran"), bidang("SARPRAS", "Bidang Sarana dan Prasarana"))),
    Skpd("DINSOS", "Dinas Sosial", "Dinsos", UnitKind.DINAS, "Kepala Dinas", 70, "sosial",
         (("Pekerja Sosial", 3), ("Penyuluh Sosial", 2)),
         (SEKRETARIAT, bidang("LINJAMSOS", "Bidang Perlindungan dan Jaminan Sosial"),
          bidang("REHSOS", "Bidang Rehabilitasi Sosial"), bidang("DAYASOS", "Bidang Pemberdayaan Sosial"))),
    Skpd("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A", UnitKind.DINAS, "Kepala Dinas", 50,
         "sosial", (("Analis Kebijakan", 2), ("Penyuluh Sosial", 1), ("Psikolog Klinis", 1)),
         (SEKRETARIAT, bidang("PP", "Bidang Pemberdayaan Perempuan"), bidang("PA", "Bidang Perlindungan Anak"))),
    Skpd("DKP3", "Dinas Ketahanan Pangan, Pertanian dan Perikanan", "DKP3", UnitKind.DINAS, "Kepala Dinas", 110,
         "pertanian", (("Penyuluh Pertanian", 3), ("Penyuluh Perikanan", 2), ("Pengawas Mutu Hasil Pertanian", 1),
                       ("Medik Veteriner", 1), ("Paramedik Veteriner", 1)),
         (SEKRETARIAT, bidang("PANGAN", "Bidang Ketahanan Pangan"), bidang("TANI", "Bidang Pertanian"),
          bidang("IKAN", "Bidang Perikanan"))),
    Skpd("DLH", "Dinas Lingkungan Hidup", "DLH", UnitKind.DINAS, "Kepala Dinas", 220, "lingkungan",
         (("Pengendali Dampak Lingkungan", 2), ("Pengawas Lingkungan Hidup", 1),
          ("Pengelola Persampahan", 4)),
         (SEKRETARIAT, bidang("SAMPAH", "Bidang Pengelolaan Sampah dan Limbah B3"),
          bidang("TAATA", "Bidang Penaatan dan Peningkatan Kapasitas Lingkungan Hidup"),
          bidang("TAMAN", "Bidang Pertamanan dan Ruang Terbuka Hijau"))),
    Skpd("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", UnitKind.DINAS, "Kepala Dinas",
         90, "umum", (("Administrator Database Kependudukan", 2), ("Pengelola Layanan Operasional", 3)),
         (SEKRETARIAT, bidang("DAFDUK", "Bidang Pelayanan Pendaftaran Penduduk"),
          bidang("CAPIL", "Bidang Pelayanan Pencatatan Sipil"),
          bidang("PIAK", "Bidang Pengelolaan Informasi Administrasi Kependudukan"))),
    Skpd("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", UnitKind.DINAS,
         "Kepala Dinas", 60, "umum", (("Analis Penanaman Modal", 2), ("Pengelola Layanan Operasional", 2)),
         (SEKRETARIAT, bidang("PM", "Bidang Penanaman Modal"), bidang("PERIZINAN", "Bidang Pelayanan Perizinan"))),
    Skpd("DISHUB", "Dinas Perhubungan", "Dishub", UnitKind.DINAS, "Kepala Dinas", 170, "teknik",
         (("Penguji Kendaraan Bermotor", 2), ("Analis Lalu Lintas dan Angkutan", 2),
          ("Petugas Pengatur Lalu Lintas", 4)),
         (SEKRETARIAT, bidang("LALIN", "Bidang Lalu Lintas"), bidang("ANGKUTAN", "Bidang Angkutan"),
          bidang("SUNGAI", "Bidang Perhubungan Sungai"))),
    Skpd("DISKOMINFOTIK", "Dinas Komunikasi, Informatika dan Statistik", "Diskominfotik", UnitKind.DINAS,
         "Kepala Dinas", 80, "komputer",
         (("Pranata Komputer", 3), ("Pranata Humas", 1), ("Statistisi", 1), ("Sandiman", 1)),
         (SEKRETARIAT, bidang("APTIKA", "Bidang Aplikasi Informatika"),
          bidang("IKP", "Bidang Informasi dan Komunikasi Publik"),
          bidang("STATSAN", "Bidang Statistik dan Persandian"),
          Part("CC", "UPT Banjarmasin Command Center", UnitKind.UPT, head="Kepala UPT",
               staff=(("Pranata Komputer", 3), ("Operator Layanan Operasional", 2)))),
         office=Office("Kantor Diskominfotik dan Banjarmasin Command Center")),
    Skpd("DISKOPUMKER", "Dinas Koperasi, Usaha Mikro dan Tenaga Kerja", "Diskopumker", UnitKind.DINAS,
         "Kepala Dinas", 60, "ekonomi",
         (("Pengawas Koperasi", 2), ("Mediator Hubungan Industrial", 1), ("Pengantar Kerja", 1)),
         (SEKRETARIAT, bidang("KOPUM", "Bidang Koperasi dan Usaha Mikro"),
          bidang("NAKER", "Bidang Tenaga Kerja"))),
    Skpd("DISBUDPORAPAR", "Dinas Kebudayaan, Kepemudaan, Olahraga dan Pariwisata", "Disbudporapar", UnitKind.DINAS,
         "Kepala Dinas", 60, "umum",
         (("Pamong Budaya", 1), ("Adyatama Kepariwisataan dan Ekonomi Kreatif", 2), ("Analis Kebijakan", 1)),
         (SEKRETARIAT, bidang("BUD", "Bidang Kebudayaan"), bidang("PORA", "Bidang Kepemudaan dan Olahraga"),
          bidang("PAR", "Bidang Pariwisata"))),
    Skpd("DISPERSIP", "Dinas Perpustakaan dan Kearsipan", "Dispersip", UnitKind.DINAS, "Kepala Dinas", 50,
         "perpustakaan", (("Pustakawan", 3), ("Arsiparis", 2)),
         (SEKRETARIAT, bidang("PUSTAKA", "Bidang Perpustakaan"), bidang("ARSIP", "Bidang Kearsipan"))),
    Skpd("DISPERDAGIN", "Dinas Perdagangan dan Perindustrian", "Disperdagin", UnitKind.DINAS, "Kepala Dinas", 80,
         "ekonomi", (("Pengawas Perdagangan", 2), ("Penera", 1), ("Pengelola Pasar", 3)),
         (SEKRETARIAT, bidang("DAG", "Bidang Perdagangan"), bidang("PASAR", "Bidang Pengelolaan Pasar"),
          bidang("IND", "Bidang Perindustrian"))),
    Skpd("DPPKB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", "DPPKB", UnitKind.DINAS, "Kepala Dinas",
         70, "kesehatan", (("Penyuluh Keluarga Berencana", 4), ("Analis Kebijakan", 1)),
         (SEKRETARIAT, bidang("DALDUK", "Bidang Pengendalian Penduduk"),
          bidang("KB", "Bidang Keluarga Berencana dan Ketahanan Keluarga"))),
    Skpd("DSDAD", "Dinas Sumber Daya Air dan Drainase", "Dinas SDA dan Drainase", UnitKind.DINAS, "Kepala Dinas",
         130, "teknik", (("Teknik Pengairan", 3), ("Pengelola Drainase", 3)),
         (SEKRETARIAT, bidang("SUNGAI", "Bidang Sungai dan Danau"), bidang("DRAINASE", "Bidang Drainase"),
          bidang("OP", "Bidang Operasi dan Pemeliharaan"))),
)
