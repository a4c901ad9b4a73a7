"""`satulayar secrets_rotate`: seal every stored secret again under the current SECRET_KEY (after a rotation, with
the old key still in SECRET_KEY_FALLBACKS), so the old key can then be dropped. Apps name their sealed columns in
their AppConfig's `sealed_fields`; core imports none of them."""

from django.apps import apps
from django.core.management.base import BaseCommand

from satulayar.core.vault import SecretUnreadable, reseal


class Command(BaseCommand):
    help = "Seal stored secrets again under the current SECRET_KEY."

    def handle(self, *args, **options):
        resealed = unreadable = 0
        for config in apps.get_app_configs():
            for label, field, purpose in getattr(config, "sealed_fields", ()):
                done, failed = self._reseal(apps.get_model(label), field, purpose)
                resealed, unreadable = resealed + done, unreadable + failed
        self.stdout.write(f"{resealed} secrets sealed under the current SECRET_KEY; {unreadable} unreadable.")
        if unreadable:
            self.stderr.write("Unreadable secrets stay as they are: put the key that sealed them in "
                              "SECRET_KEY_FALLBACKS and run this again, or enter them again on their pages.")

    def _reseal(self, model, field: str, purpose: str) -> tuple[int, int]:
        done = failed = 0
        for pk, token in model.objects.exclude(**{field: ""}).values_list("pk", field).iterator():
            try:
                sealed = reseal(token, purpose=purpose)
            except SecretUnreadable:
                self.stderr.write(f"{model._meta.label} {pk}: unreadable")
                failed += 1
                continue
            done += model.objects.filter(pk=pk, **{field: token}).update(**{field: sealed})
        return done, failed
