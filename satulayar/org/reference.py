"""Loads a city's official regions (Kemendagri codes) and boundaries from the files shipped in org/data/."""

import csv
import json
from pathlib import Path

from django.db import transaction

from satulayar.org.models import City, Kecamatan, Kelurahan

DATA_DIR = Path(__file__).parent / "data"


def available_cities() -> list[str]:
    return sorted(p.parent.name for p in DATA_DIR.glob("*/city.json"))


@transaction.atomic
def city_load_reference(slug: str) -> City:
    """Create or refresh the city, its kecamatan and kelurahan. Safe to run again."""
    folder = DATA_DIR / slug
    if not (folder / "city.json").exists():
        raise ValueError(f"no reference data for city {slug!r}; available: {', '.join(available_cities())}")
    meta = json.loads((folder / "city.json").read_text())
    features = {}
    boundaries = folder / "boundaries.geojson"
    if boundaries.exists():
        for feature in json.loads(boundaries.read_text())["features"]:
            features[feature["properties"]["kode"]] = feature
    city_feature = features.get(meta["code"], {}).get("properties", {})
    city, _ = City.objects.update_or_create(slug=slug, defaults={
        "name": meta["name"], "code": meta["code"], "province": meta.get("province", ""),
        "timezone": meta["timezone"], "centroid_lat": city_feature.get("centroid_lat"),
        "centroid_lon": city_feature.get("centroid_lon"),
    })
    with (folder / "wilayah.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    kecamatan = {}
    for row in rows:
        if row["level"] == "kecamatan":
            Kecamatan(city=city, code=row["kode"], name=row["name"]).clean()
            kecamatan[row["kode"]], _ = Kecamatan.objects.update_or_create(
                code=row["kode"], defaults={"city": city, "name": row["name"]})
    for row in rows:
        if row["level"] == "kelurahan":
            feature = features.get(row["kode"], {})
            props = feature.get("properties", {})
            parent = kecamatan[row["parent_kode"]]
            Kelurahan(kecamatan=parent, code=row["kode"], name=row["name"]).clean()
            Kelurahan.objects.update_or_create(code=row["kode"], defaults={
                "kecamatan": parent, "name": row["name"], "centroid_lat": props.get("centroid_lat"),
                "centroid_lon": props.get("centroid_lon"), "boundary": feature.get("geometry"),
            })
    return city
