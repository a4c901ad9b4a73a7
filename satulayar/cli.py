"""The `satulayar` command: demo, serve, seed, worker, and every Django management command."""

import argparse
import os
import signal
import subprocess
import sys
import threading


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satulayar.settings")
    import django

    django.setup()


def serve(host: str, port: int, reload: bool = False, workers: int = 1, log_config: dict | None = None,
          app=None) -> None:
    import uvicorn

    # Django has no lifespan handler; a short graceful timeout lets the server stop while live streams are open.
    options = {"log_config": log_config} if log_config else {}
    uvicorn.run(app or "satulayar.asgi:application", host=host, port=port, reload=reload, lifespan="off",
                timeout_graceful_shutdown=3, log_level="info", workers=None if reload else workers, **options)


def _logins_text(url: str) -> str:
    from satulayar.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_logins

    lines = [f"Akun demo (kata sandi semua: {DEMO_PASSWORD}):"]
    lines += [f"  {username:<28} {description}" for username, description in demo_logins()]
    lines.append(f"Pimpinan, inspektur, admin BKPSDM dan admin integrasi memakai verifikasi dua langkah (TOTP): "
                 f"kunci demo {DEMO_TOTP_SECRET} untuk aplikasi autentikator, atau `satulayar demo_totp` untuk kode "
                 f"saat ini.")
    lines.append(f"Satu Layar siap di {url}  (masuk dengan salah satu akun di atas; Ctrl+C untuk berhenti)")
    return "\n".join(lines)


def _worker_after_catch_up(workers: list, verbose: bool) -> None:
    from satulayar.core.logfiles import log_dir
    from satulayar.demo.live import CAUGHT_UP

    CAUGHT_UP.wait(timeout=900)
    command = [sys.executable, "-m", "satulayar.cli", "worker"]
    if verbose:
        workers.append(subprocess.Popen(command))
        return
    with open(log_dir() / "worker.out", "ab") as out:  # what the worker prints outside logging (a crash)
        workers.append(subprocess.Popen([*command, "--log-file"], stdout=out, stderr=subprocess.STDOUT))


def demo(args) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from satulayar.core.logfiles import log_dir, log_to_files, uvicorn_log_config
    from satulayar.org.models import Employee

    if not args.verbose:  # the console keeps one line per step and service; the rest goes to var/log/
        log_to_files("demo")
    print("Satu Layar demo: menyiapkan basis data…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if not Employee.objects.exists():
        call_command("seed", city=args.city or settings.SATULAYAR_CITY, employees=args.employees, days=args.days,
                     seed=args.seed, until=args.until)
    else:
        print("Basis data sudah berisi kota demo; lewati pembuatan data (hapus var/ untuk mulai dari awal).")
    url = f"http://{args.host}:{args.port}/"
    if args.no_serve:
        print(_logins_text(url).replace("siap di", "siap; jalankan `satulayar demo` untuk membukanya di"))
        return
    from satulayar.demo.extras import demo_services_start
    from satulayar.demo.live import SEED_ENV, SERVER_ENV

    # The live day plays the seeded city's habits and pushes its fingerprint punches to this server's /iclock/.
    os.environ[SEED_ENV] = str(args.seed)
    os.environ[SERVER_ENV] = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    # A service that could not start says so with a leading "!" instead of a tick.
    demo_services_start(say=lambda line: print(line if line.startswith("!") else f"✓ {line}", flush=True))
    # Background jobs (connector schedules, alert checks, nightly closing) run in a worker beside the server, once
    # the live day has caught the front offices up (its alert checks would judge a queue still being replayed).
    workers: list[subprocess.Popen] = []
    threading.Thread(target=_worker_after_catch_up, args=(workers, args.verbose), daemon=True).start()
    where = "" if args.verbose else f"; log di {log_dir() / 'worker.log'}"
    print(f"✓ Pekerja latar (Huey): mulai begitu loket kelurahan hari ini tersusul{where}", flush=True)
    where = "" if args.verbose else f"; log akses di {log_dir() / 'access.log'}"
    print(f"✓ Server web: {url}{where}", flush=True)
    print(f"\n{_logins_text(url)}", flush=True)
    from satulayar.asgi import application  # loading the app sets Django's logging up again: files after it

    if not args.verbose:
        log_to_files("demo")
    # uvicorn re-raises the signal it stopped on: SIGTERM as SystemExit, so the worker below is stopped too.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    try:
        serve(args.host, args.port, log_config=uvicorn_log_config(verbose=args.verbose), app=application)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal {value!r} tidak sah; tulis sebagai YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="satulayar", description="Satu Layar: one screen for a city government.")
    commands = parser.add_subparsers(dest="command")

    p_demo = commands.add_parser("demo", help="migrate, seed the demo city if empty, and serve it")
    p_demo.add_argument("--city", default=None, help="default: SATULAYAR_CITY")
    p_demo.add_argument("--employees", type=int, default=6000)
    p_demo.add_argument("--days", type=int, default=365)
    p_demo.add_argument("--seed", type=int, default=2018)
    p_demo.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD",
                        help="last day of the seeded history (default: yesterday in the city's time zone); "
                             "the live demo simulates today")
    p_demo.add_argument("--host", default="127.0.0.1")
    p_demo.add_argument("--port", type=int, default=8000)
    p_demo.add_argument("--no-serve", action="store_true", help="prepare the demo and exit")
    p_demo.add_argument("--verbose", action="store_true",
                        help="print the server's access lines and the worker's job lines (otherwise in var/log/)")

    p_serve = commands.add_parser("serve", help="run the ASGI server (uvicorn)")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--reload", action="store_true")
    p_serve.add_argument("--workers", type=int, default=1, help="server processes (one per core is usual)")

    p_worker = commands.add_parser("worker", help="run background jobs (Huey)")
    p_worker.add_argument("--log-file", action="store_true",
                          help="log to var/log/worker.log (rotated) instead of the console, errors excepted")

    known = {"demo", "serve", "worker", "-h", "--help"}
    if not argv or argv[0] not in known:
        # seed and everything else are Django management commands.
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["satulayar", *argv])
        return
    args = parser.parse_args(argv)
    if args.command == "demo":
        # The demo's cameras and department apps are simulated on this machine's loopback; a real city leaves it shut.
        os.environ.setdefault("OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32")
    _setup()
    if args.command == "demo":
        demo(args)
    elif args.command == "serve":
        serve(args.host, args.port, args.reload, args.workers)
    elif args.command == "worker":
        from django.core.management import call_command
        from django.utils.module_loading import autodiscover_modules

        from satulayar.core.logfiles import log_to_files
        from satulayar.core.tasks import worker_started

        if args.log_file:
            log_to_files("worker")
        autodiscover_modules("tasks")
        worker_started()
        # -d 0.1 -m 1 keeps pick-up latency near 0.1 s after idle (Huey backs off otherwise).
        call_command("run_huey", "-d", "0.1", "-m", "1")


if __name__ == "__main__":
    main()
