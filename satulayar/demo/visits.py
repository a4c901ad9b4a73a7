"""The demo's year of kelurahan visits (see history.py)."""

import datetime as dt
from collections.abc import Callable

from satulayar.demo.generator import indonesian_number
from satulayar.demo.progress import bar
from satulayar.demo.visits_history import visits_history_seed
from satulayar.visits.catalogue import services_seed_default


def seed_demo(*, city, days: int, seed: int, end: dt.date, progress: Callable[[str], None]) -> str:
    if days <= 0:
        services_seed_default(city=city)
        return "Layanan kelurahan: katalog saja, tanpa riwayat kunjungan"
    from satulayar.org.models import Kelurahan

    offices = Kelurahan.objects.filter(kecamatan__city=city).count()
    with bar("[layanan] Riwayat kunjungan", offices, unit="kelurahan") as advance:
        summary = visits_history_seed(city=city, days=days, seed=seed, end_date=end, progress=progress, tick=advance)
    return (f"Layanan kelurahan: {indonesian_number(summary['tickets'])} tiket "
            f"({indonesian_number(summary['transfers'])} dipindahkan ke layanan lain) dan "
            f"{indonesian_number(summary['ratings'])} penilaian IKM di {summary['kelurahan']} kelurahan "
            f"selama {summary['work_days']} hari kerja")
