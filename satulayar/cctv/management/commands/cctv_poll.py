import signal
import threading

from django.core.management.base import BaseCommand

from satulayar.cctv.poller import Poller


class Command(BaseCommand):
    help = "Poll the CCTV cameras: grab frames at each camera's interval, count people, record health."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="grab every active camera once, then exit")

    def handle(self, *args, once: bool = False, **options):
        poller = Poller()  # several may run, here or on other machines: they share the cameras (see cctv.poller)
        try:
            if once:
                outcomes = poller.poll_once()
                failed = [o for o in outcomes if o.error]
                self.stdout.write(f"{len(outcomes) - len(failed)} kamera daring, {len(failed)} gagal")
                for outcome in failed:
                    self.stdout.write(f"  kamera {outcome.camera_id}: {outcome.error}")
                return
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_args: stop.set())
            self.stdout.write(f"Memantau kamera ({poller.concurrency} utas, batas {poller.timeout:g} detik)…")
            poller.run_forever(stop)
        finally:
            poller.close()
