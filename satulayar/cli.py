"""The `satulayar` command: demo, serve, seed, worker, and every Django management command."""

import argparse
import os
import subprocess
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satulayar.settings")
    import django

    django.setup()


def serve(host: str, port: int, reload: bool = False, workers: int = 1) -> None:
    import uvicorn

    # Django has no lifespan handler; a short graceful timeout lets the server stop while live streams are open.
    uvicorn.run("satulayar.asgi:application", host=host, port=port, reload=reload, lifespan="off",
                timeout_graceful_shutdown=3, log_level="info", workers=None if reload else workers)


def demo(args) -> None:
    from django.core.management import call_command

    from satulayar.demo.users import DEMO_PASSWORD, demo_logins
    from satulayar.org.models import Employee

    print("Satu Layar demo: menyiapkan basis data…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if not Employee.objects.exists():
        call_command("seed", city=args.city, employees=args.employees, days=args.days, seed=args.seed,
                     until=args.until)
    else:
        print("Basis data sudah berisi kota demo; lewati pembuatan data (hapus var/ untuk mulai dari awal).")
    url = f"http://{args.host}:{args.port}/"
    print(f"\nSatu Layar berjalan di {url}\nAkun demo (kata sandi semua: {DEMO_PASSWORD}):")
    for username, description in demo_logins():
        print(f"  {username:<28} {description}")
    if args.no_serve:
        return
    from satulayar.demo.extras import demo_services_start
    from satulayar.demo.live import SEED_ENV, SERVER_ENV

    # The live day plays the seeded city's habits and pushes its fingerprint punches to this server's /iclock/.
    os.environ[SEED_ENV] = str(args.seed)
    os.environ[SERVER_ENV] = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    demo_services_start()
    # Background jobs (camera polling, connector schedules, nightly closing) run in a worker beside the server.
    worker = subprocess.Popen([sys.executable, "-m", "satulayar.cli", "worker"])
    print("\nTekan Ctrl+C untuk berhenti.\n", flush=True)
    try:
        serve(args.host, args.port)
    finally:
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
    p_demo.add_argument("--city", default=os.environ.get("SATULAYAR_CITY", "banjarmasin"))
    p_demo.add_argument("--employees", type=int, default=6000)
    p_demo.add_argument("--days", type=int, default=365)
    p_demo.add_argument("--seed", type=int, default=2018)
    p_demo.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD",
                        help="last day of the seeded history (default: yesterday in the city's time zone); "
                             "the live demo simulates today")
    p_demo.add_argument("--host", default="127.0.0.1")
    p_demo.add_argument("--port", type=int, default=8000)
    p_demo.add_argument("--no-serve", action="store_true", help="prepare the demo and exit")

    p_serve = commands.add_parser("serve", help="run the ASGI server (uvicorn)")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--reload", action="store_true")
    p_serve.add_argument("--workers", type=int, default=1, help="server processes (one per core is usual)")

    commands.add_parser("worker", help="run background jobs (Huey)")

    known = {"demo", "serve", "worker", "-h", "--help"}
    if not argv or argv[0] not in known:
        # seed and everything else are Django management commands.
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["satulayar", *argv])
        return
    args = parser.parse_args(argv)
    _setup()
    if args.command == "demo":
        demo(args)
    elif args.command == "serve":
        serve(args.host, args.port, args.reload, args.workers)
    elif args.command == "worker":
        from django.core.management import call_command

        # -d 0.1 -m 1 keeps pick-up latency near 0.1 s after idle (Huey backs off otherwise).
        call_command("run_huey", "-d", "0.1", "-m", "1")


if __name__ == "__main__":
    main()
