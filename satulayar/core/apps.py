from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "satulayar.core"
    verbose_name = _("Inti")

    def ready(self):
        from satulayar.core.nav import NavItem, register

        register(NavItem("home", _("Beranda"), "home", None, order=0))
        folders_make()


def folders_make() -> None:
    """The data folder (SQLite files, job queue, media) and the static folder, made when Django starts rather
    than when settings are imported; then the SQLite job queue's tables, which need the folder."""
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    for folder in (Path(settings.DATA_DIR), Path(settings.STATIC_ROOT)):
        folder.mkdir(parents=True, exist_ok=True)
    if settings.HUEY.get("create_tables") is False:  # the SQLite queue (also when it starts in immediate mode)
        HUEY.get_storage(**{**HUEY.storage_kwargs, "create_tables": True})
