"""Run the benchmarks: `make bench`, or `.venv/bin/python bench/run.py [-v] [NAME ...]`.

Every module `bench/bench_*.py` exposes `run(ctx: bench.harness.Context) -> list[Result]`.
Each result is a figure next to a baseline measured in the same run, and a goal on their
ratio. The exit status is non-zero only when a benchmark fails to run; a missed goal is
printed as MISSED but does not fail the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
if sys.path and Path(sys.path[0]).resolve() == BENCH_DIR:
    sys.path.pop(0)  # import the benchmarks as the package `bench`, never as top-level modules
sys.path[0:0] = [str(PROJECT_DIR), str(PROJECT_DIR / "src")]

from bench.harness import Context, Result, throwaway_database  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    modules = discover(args.names)
    if not modules:
        print(f"no benchmark matches {args.names}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with throwaway_database() as database_url, tempfile.TemporaryDirectory(prefix="shouhu-bench-var-") as var:
        os.environ["DATABASE_URL"] = database_url
        os.environ["SHOUHU_VAR_DIR"] = var
        Path(var, "static").mkdir()  # STATIC_ROOT, which WhiteNoise wants to exist
        # The Makefile exports the local (DEBUG) settings; benchmarks want DEBUG off.
        os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get(
            "BENCH_SETTINGS_MODULE", "shouhu.config.settings.test"
        )
        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        print(f"Preparing {describe_database(connection)} …", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)

        ctx = Context(
            vendor=connection.vendor,
            requests=args.requests,
            rounds=args.rounds,
            warmup=args.warmup,
            verbose=args.verbose,
        )
        results: list[Result] = []
        errors: list[str] = []
        for name in modules:
            print(f"\n{name}", flush=True)
            module_started = time.perf_counter()
            try:
                module = importlib.import_module(f"bench.{name}")
                rows = module.run(ctx)
                if not isinstance(rows, list) or not all(isinstance(row, Result) for row in rows):
                    raise TypeError(f"{name}.run() must return a list of bench.harness.Result")
            except Exception:
                traceback.print_exc()
                errors.append(name)
                continue
            results.extend(rows)
            ctx.log(f"done in {time.perf_counter() - module_started:.1f} s")
        database = describe_database(connection)

    print()
    print_table(results, errors)
    write_json(results, errors, database, ctx, args)
    print(f"\n{database}; {time.perf_counter() - started:.0f} s in all")
    return 1 if errors else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "names", nargs="*", help="run only the bench_*.py modules whose name contains one of these"
    )
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "200")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", "20")))
    parser.add_argument("-v", "--verbose", action="store_true", help="print the SQL of the measured pages")
    return parser.parse_args(argv)


def discover(names: list[str]) -> list[str]:
    modules = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    return [m for m in modules if not names or any(n in m for n in names)]


def describe_database(connection: object) -> str:
    vendor = connection.vendor  # type: ignore[attr-defined]
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (temporary file)"
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"  # type: ignore[attr-defined]


def fmt(value: float, unit: str) -> str:
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{number} {unit}"


def print_table(results: list[Result], errors: list[str]) -> None:
    header = ("benchmark", "figure", "baseline", "ratio", "goal", "result")
    rows = [
        (
            r.name,
            fmt(r.figure, r.unit),
            fmt(r.baseline, r.unit),
            f"{r.ratio:.2f}",
            r.goal_text,
            "ok" if r.passed else "MISSED",
        )
        for r in results
    ]
    rows += [(name, "—", "—", "—", "—", "ERROR") for name in errors]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    align = ["<", ">", ">", ">", "<", "<"]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(f"{h:{a}{w}}" for h, a, w in zip(header, align, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths, strict=True)))
    print(line)
    for r in results:
        if r.note:
            print(f"* {r.name}: {r.note}")
    missed = [r for r in results if not r.passed]
    print(f"\n{len(results) - len(missed)} of {len(results)} goals met", end="")
    print(f"; MISSED: {', '.join(r.name for r in missed)}" if missed else "")
    if errors:
        print(f"ERROR in {', '.join(errors)} (traceback above)")


def write_json(
    results: list[Result], errors: list[str], database: str, ctx: Context, args: argparse.Namespace
) -> None:
    out = BENCH_DIR / "results" / f"latest-{ctx.vendor}.json"  # `make bench` runs both databases
    out.parent.mkdir(exist_ok=True)
    data = {
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database,
        "python": platform.python_version(),
        "requests": ctx.requests,
        "rounds": ctx.rounds,
        "results": [r.as_dict() for r in results],
        "errors": errors,
    }
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
