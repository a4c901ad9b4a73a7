"""`manage.py seed_calendar --city banjarmasin --years 2018-2027`: holidays and cuti bersama into the calendar."""

from django.core.management.base import BaseCommand, CommandError

from satulayar.attendance.calendar import calendar_seed
from satulayar.org.models import City


def parse_years(text: str) -> list[int]:
    """"2018-2027", "2024" or "2018,2020,2022-2024"."""
    years = set()
    try:
        for part in text.split(","):
            low, _sep, high = part.strip().partition("-")
            years.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise CommandError(f"--years: expected e.g. 2018-2027 or 2024, got {text!r}") from None
    if not years or min(years) < 1950 or max(years) > 2100:
        raise CommandError(f"--years: {text!r} is outside 1950-2100")
    return sorted(years)


class Command(BaseCommand):
    help = "Seed national holidays and cuti bersama from the holidays package into a city's work calendar."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="city slug, e.g. banjarmasin")
        parser.add_argument("--years", required=True, help="e.g. 2018-2027")

    def handle(self, *args, city, years, **options):
        target = City.objects.filter(slug=city).first()
        if target is None:
            raise CommandError(f"unknown city {city!r}; load its reference data first")
        years = parse_years(years)
        added = calendar_seed(city=target, years=years)
        self.stdout.write(f"{target}: {added} calendar days added for {years[0]}-{years[-1]}")
