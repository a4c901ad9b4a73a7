"""Print the current second-factor code of the demo logins (they share one published TOTP key)."""

import time

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from satulayar.demo.users import DEMO_TOTP_KEY, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Kode TOTP saat ini untuk akun demo yang wajib verifikasi dua langkah."

    def handle(self, *args, **options):
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{code:06d}  (berlaku {left} detik lagi; kunci demo {DEMO_TOTP_SECRET})")
