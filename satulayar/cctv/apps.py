from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CctvConfig(AppConfig):
    name = "satulayar.cctv"
    # Camera credentials, sealed with core.vault: re-sealed by `secrets_rotate`.
    sealed_fields = [("cctv.Camera", "credentials_encrypted", "cctv")]
    verbose_name = _("CCTV")

    def ready(self):
        from satulayar.cctv.nav import register_nav

        register_nav()
