"""Integrity signals: the demo city with its planted cases, then the nightly run timed and its findings scored.

Seeds a demo city (small by default: 600 ASN, 42 days of history, kelurahan desks and cameras) in a scratch
database, plants the integrity cases (satulayar/demo/integrity.py), and times the nightly run (every rule over the
last five weeks, as the Huey job runs it). Printed: each rule's findings, precision (planted among its findings)
and recall (planted cases found); planted cases in the top 50 (goal ≥ 90 %) and unplanted findings in the top 50
(goal ≤ 10 %); the run's seconds (goal < 60 s on two cores) with met/MISSED.

    python -m bench.integrity [--employees 6000 --days 365] [--databases sqlite postgresql]
"""

import argparse
import datetime as dt
import time

from bench import _scratch

GOAL_SECONDS = 60
END = dt.date(2026, 11, 27)
SEED = 2018


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.integrity")
    parser.add_argument("--employees", type=int, default=600)
    parser.add_argument("--days", type=int, default=42)
    parser.add_argument("--target", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"])
    args, _unknown = parser.parse_known_args(argv if argv is not None else [])
    if args.target:
        with _scratch.scratch_database():
            _measure(args)
        return
    _scratch.run_each_target("bench.integrity", ["--employees", str(args.employees), "--days", str(args.days)],
                             databases=args.databases)


def _seed(args) -> tuple:
    from satulayar.demo.cctv import seed_demo as cameras_seed
    from satulayar.demo.generator import seed_city
    from satulayar.demo.integrity import integrity_cases_plant
    from satulayar.demo.users import create_demo_users
    from satulayar.demo.visits_history import visits_history_seed
    from satulayar.org.models import City

    seed_city(city_slug="banjarmasin", employees=args.employees, days=args.days, seed=SEED, on=END)
    city = City.objects.get(slug="banjarmasin")
    create_demo_users(city=city, seed=SEED)
    visits_history_seed(city=city, days=args.days, seed=SEED, end_date=END)
    cameras_seed(city=city, days=args.days, seed=SEED, end=END, progress=lambda message: None)
    return city, integrity_cases_plant(city=city, seed=SEED, end=END, days=args.days)


def _measure(args) -> None:
    from satulayar.demo.integrity import _matches, planted_score
    from satulayar.integrity.models import Finding
    from satulayar.integrity.tasks import integrity_nightly_run

    began = time.perf_counter()
    city, cases = _seed(args)
    seeded = time.perf_counter() - began
    began = time.perf_counter()
    integrity_nightly_run(today=END + dt.timedelta(days=1))
    seconds = time.perf_counter() - began
    findings = list(Finding.objects.filter(city=city).order_by("-score", "-last_date", "pk"))
    score = planted_score(findings=findings, cases=cases, top=50)
    print(f"\nIntegrity signals on {_scratch.server_version()}: {args.employees:,} ASN, {args.days} days of history "
          f"(seeded in {seeded:.0f} s), {len(cases)} planted cases, {len(findings)} findings", flush=True)
    print(f"{'rule':<22}{'findings':>9}{'true':>6}{'cases':>7}{'found':>7}{'precision':>11}{'recall':>8}")
    for rule, row in score.per_rule.items():
        print(f"{rule:<22}{row['findings']:>9}{row['true']:>6}{row['cases']:>7}{row['found']:>7}"
              f"{row['precision']:>10.0%} {row['recall']:>7.0%}")
    share_in_top = score.in_top / score.cases if score.cases else 1.0
    false_share = score.top_unplanted / score.top if score.top else 0.0
    print(f"planted cases found: {score.found}/{score.cases} "
          f"(goal all: {'met' if score.found == score.cases else 'MISSED'})")
    print(f"planted cases in the top {score.top}: {share_in_top:.0%} (goal ≥ 90 %: "
          f"{'met' if share_in_top >= 0.9 else 'MISSED'})")
    print(f"unplanted findings in the top {score.top}: {score.top_unplanted} = {false_share:.0%} (goal ≤ 10 %: "
          f"{'met' if false_share <= 0.1 else 'MISSED'})")
    for finding in findings[:50]:
        if not any(_matches(case, finding) for case in cases):
            print(f"  unplanted: {finding.rule} · {finding.summary} · score {finding.score:.0f}")
    print(f"nightly run: {seconds:.1f} s (goal < {GOAL_SECONDS} s: {'met' if seconds < GOAL_SECONDS else 'MISSED'})",
          flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
