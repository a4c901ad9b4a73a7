from django.conf import settings


def current_city():
    """The city this installation serves (SATULAYAR_CITY), or None before its reference data is loaded."""
    from satulayar.org.models import City

    return City.objects.filter(slug=settings.SATULAYAR_CITY).first()
