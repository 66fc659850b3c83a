"""`kiosk bench stats --terminals 1000 --days 365`: the 统计 page over a year of a fleet.

For each database (SQLite and a throwaway PostgreSQL, kiosk/console/pgtemp.py, in the same run)
it migrates a fresh console database, enrols the terminals (8 districts, 40 terminals a site)
and writes a year of usage as the console stores it (docs/adr/0740): the daily counts a
terminal's records add up to (sessions, identification methods, elderly and English use,
services started and completed, abandonment by step, prints and failures, ratings by score,
办不成事), and for every 差评 and 办不成事 its usage record and work item. The figures are
seeded and plausible (a terminal serves 10-50 residents a day). Then `kiosk console` serves the
database in its own process and a logged-in client times the 统计 page (the whole fleet for
the last month, one district, one terminal) and the 通报 page.

The floor, measured in the same run on the same server: the same page for a month without
data (templates, login, the same queries on empty ranges). Printed: rows written and the time
to write them, the database's size on disk, each page's median render time and its ratio
against the floor.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests

from kiosk import REPO_ROOT

BENCH_PASSWORD = "bench-admin-pass-1"
DISTRICTS = ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "昌平区")
SERVICES = ("social-insurance-payments", "medical-insurance-account", "provident-fund-deposits",
            "archives", "benefits", "residence-registration", "tax-payment", "case-progress",
            "certificate-reprint", "unemployment-registration")
STEPS = ("identify", "records", "certificate", "form", "check", "submit")
REPEATS = 5


@dataclass
class Figures:
    """One database's run."""

    database: str
    daily_rows: int = 0
    monthly_rows: int = 0
    items: int = 0
    write_seconds: float = 0.0
    size_bytes: int = 0
    pages: dict[str, list[float]] = field(default_factory=dict)


def _keys() -> tuple[list[tuple[str, str, str, str]], list[float]]:
    """Every (kind, service, step, detail) a terminal-day may count, with its mean per day
    (a terminal serves about 30 residents a day; services by popularity; 差评 about 3 % of
    ratings, 办不成事 about 2 % of services)."""
    keys: list[tuple[str, str, str, str]] = [("session", "", "", "")]
    rates = [30.0]
    for method, share in (("idcard", 0.72), ("smartcard", 0.17), ("qrcode", 0.07),
                          ("face", 0.04)):
        keys.append(("identified", "", "", method))
        rates.append(30 * share)
    keys += [("elderly", "", "", ""), ("english", "", "", "")]
    rates += [3.5, 0.6]
    weights = [0.25, 0.18, 0.14, 0.11, 0.09, 0.07, 0.06, 0.04, 0.03, 0.03]
    for service, w in zip(SERVICES, weights, strict=True):
        started = 30 * w
        completed = started * 0.83
        for kind, rate in (("started", started), ("completed", completed),
                           ("printed", completed * 0.6), ("print_failed", completed * 0.012)):
            keys.append((kind, service, "certificate" if "print" in kind else "", ""))
            rates.append(rate)
        for step in STEPS:
            keys.append(("abandoned", service, step, ""))
            rates.append(started * 0.15 / len(STEPS))
            for category in ("device", "data", "hard"):
                keys.append(("unresolved", service, step, category))
                rates.append(started * 0.02 / len(STEPS) / 3)
        for score, share in ((5, 0.80), (4, 0.12), (3, 0.05), (2, 0.02), (1, 0.01)):
            keys.append(("rating", service, "", str(score)))
            rates.append(completed * 0.8 * share)
    return keys, rates


def year(terminals: int, days: int, last: date, seed: int
         ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                             list[tuple[Any, ...]]]]:
    """Per day: the fleet's daily rows, the month's rows when a month ends, and its work items
    (record id, kind, terminal, service, score, category, instant). Counts are Poisson draws
    (numpy), so a year of a large fleet is made in seconds."""
    import numpy as np

    rng = np.random.default_rng(seed)
    keys, rates = _keys()
    lam = np.array(rates)
    ids = _terminal_ids(terminals)
    item_cols = [i for i, k in enumerate(keys) if k[0] == "unresolved" or (
        k[0] == "rating" and k[3] in ("1", "2"))]
    month_sum = np.zeros((terminals, len(keys)), dtype=np.int64)
    next_id = 1
    for offset in range(days - 1, -1, -1):
        day = last - timedelta(days=offset)
        # busier and quieter terminals: each terminal's own level, the same all year
        counts = rng.poisson(lam * _levels(terminals, seed)[:, None])
        month_sum += counts
        t_idx, k_idx = np.nonzero(counts)
        daily = [(day, ids[t], *keys[k], int(counts[t, k])) for t, k in zip(
            t_idx.tolist(), k_idx.tolist(), strict=True)]
        monthly: list[tuple[Any, ...]] = []
        if offset == 0 or (day + timedelta(days=1)).day == 1:
            first = day.replace(day=1)
            t_idx, k_idx = np.nonzero(month_sum)
            monthly = [(first, ids[t], *keys[k], int(month_sum[t, k])) for t, k in zip(
                t_idx.tolist(), k_idx.tolist(), strict=True)]
            month_sum[:] = 0
        items: list[tuple[Any, ...]] = []
        noon = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)  # 11:00 China time
        sub = counts[:, item_cols]
        for t, c in zip(*np.nonzero(sub), strict=True):
            kind, service, _step, detail = keys[item_cols[c]]
            for _ in range(int(sub[t, c])):
                at = noon + timedelta(minutes=int(rng.integers(-120, 300)))
                if kind == "rating":
                    items.append((next_id, "bad_rating", ids[t], service, int(detail),
                                  str(rng.choice(["slow", "hard", "device"])), at))
                else:
                    items.append((next_id, "unresolved", ids[t], service, None, detail, at))
                next_id += 1
        yield daily, monthly, items


def _terminal_ids(n: int) -> list[str]:
    return [f"BJ-{i:05d}" for i in range(n)]


def prepare(url: str, terminals: int) -> None:
    """Migrate and enrol the fleet and the bench's admin."""
    from kiosk.console.db import open_database, utcnow
    from kiosk.console.models import Terminal, User
    from kiosk.console.passwords import hash_password

    engine, sessions = open_database(url)
    now = utcnow()
    with sessions() as db:
        db.add(User(username="bench", display_name="bench", role="admin", active=True,
                    password_hash=hash_password(BENCH_PASSWORD), created_at=now))
        db.add_all(Terminal(
            id=tid, district=DISTRICTS[i % len(DISTRICTS)], site=f"第{i // 40 + 1}便民服务中心",
            group_name="大厅", token_hash=secrets.token_hex(32), revoked=False,
            enrolled_at=now, devices={}, last_update={}, app_version="", bundle_version="",
            outbox_depth=0, sessions=0, ratings=0, out_of_service=False,
            out_of_service_message="") for i, tid in enumerate(_terminal_ids(terminals)))
        db.commit()
    engine.dispose()


def _levels(terminals: int, seed: int) -> Any:
    import numpy as np

    return np.random.default_rng(seed + 1).uniform(0.4, 1.6, terminals)


def _item_rows(items: list[tuple[Any, ...]]
               ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    records: list[tuple[Any, ...]] = []
    work: list[tuple[Any, ...]] = []
    for rid, kind, tid, service, score, category, at in items:
        bad = kind == "bad_rating"
        records.append((rid, tid, "rating" if bad else "unresolved", service, score, category,
                        at, at, "open" if bad else "", "" if bad else "records", "", category))
        day = (at + timedelta(hours=8)).strftime("%Y%m%d")
        work.append((rid, f"{'CP' if bad else 'BC'}-{day}-{rid:07d}", kind, rid, tid, service,
                     "" if bad else "records", score, category, "open", "", "", "", at))
    return records, work


RECORD_COLUMNS = ("id", "terminal_id", "kind", "service", "score", "category", "occurred_at",
                  "received_at", "status", "step", "method", "categories")
ITEM_COLUMNS = ("id", "number", "kind", "usage_record_id", "terminal_id", "service", "step",
                "score", "categories", "status", "assignee", "rectification", "reply",
                "occurred_at")
DAILY_COLUMNS = ("day", "terminal_id", "kind", "service", "step", "detail", "count")


Year = Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]


def write_sqlite(path: str, data: Year, f: Figures) -> None:
    """Write the year with sqlite3 executemany, one transaction a day."""
    conn = sqlite3.connect(path)
    try:
        for daily, monthly, items in data:
            records, work = _item_rows(items)
            with conn:
                for table, rows in (("usage_daily", daily), ("usage_monthly", monthly)):
                    conn.executemany(f"INSERT INTO {table} ({','.join(DAILY_COLUMNS)}) VALUES "
                                     f"({','.join('?' * len(DAILY_COLUMNS))})",
                                     [(str(d), *rest) for d, *rest in rows])
                conn.executemany(f"INSERT INTO usage_records ({','.join(RECORD_COLUMNS)}) "
                                 f"VALUES ({','.join('?' * len(RECORD_COLUMNS))})",
                                 [(*r[:6], _sqlite_time(r[6]), _sqlite_time(r[7]), *r[8:])
                                  for r in records])
                conn.executemany(f"INSERT INTO stats_work_items ({','.join(ITEM_COLUMNS)}) "
                                 f"VALUES ({','.join('?' * len(ITEM_COLUMNS))})",
                                 [(*w[:-1], _sqlite_time(w[-1])) for w in work])
            f.daily_rows += len(daily)
            f.monthly_rows += len(monthly)
            f.items += len(work)
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _sqlite_time(moment: object) -> str:
    assert isinstance(moment, datetime)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def write_postgres(url: str, data: Year, f: Figures) -> None:
    """Write the year with COPY, one transaction a day."""
    with psycopg.connect(url) as conn:
        for daily, monthly, items in data:
            records, work = _item_rows(items)
            with conn.cursor() as cur:
                for table, columns, rows in (("usage_daily", DAILY_COLUMNS, daily),
                                             ("usage_monthly", DAILY_COLUMNS, monthly),
                                             ("usage_records", RECORD_COLUMNS, records),
                                             ("stats_work_items", ITEM_COLUMNS, work)):
                    with cur.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            conn.commit()
            f.daily_rows += len(daily)
            f.monthly_rows += len(monthly)
            f.items += len(work)
        conn.execute("SELECT setval('usage_records_id_seq', (SELECT max(id) FROM usage_records))")
        conn.execute("SELECT setval('stats_work_items_id_seq', "
                     "(SELECT max(id) FROM stats_work_items))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def _start_console(url: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        # plain http (docs/adr/0700's explicit development mode): the bench times pages, not TLS
        [sys.executable, "-m", "kiosk", "console", "--db", url, "--port", "0", "--insecure-http"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert process.stdout is not None
    line = process.stdout.readline()
    if "console listening on" not in line:
        process.kill()
        raise RuntimeError("the console did not start")
    return process, line.split()[3]


def time_pages(base: str, month: str, empty_month: str, f: Figures) -> None:
    """Log in and time each page REPEATS times (after one warm-up)."""
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=30)
    found = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert found
    http.post(f"{base}/login", data={"username": "bench", "password": BENCH_PASSWORD,
                                     "login_csrf": found.group(1)}, timeout=60)
    pages = {"floor: 统计, a month without data": f"/stats?month={empty_month}",
             "统计, whole fleet, last month": f"/stats?month={month}",
             "统计, one district": f"/stats?month={month}&district=%E6%9C%9D%E9%98%B3%E5%8C%BA",
             "统计, one terminal": f"/stats?month={month}&terminal=BJ-00007",
             "通报 (monthly report)": f"/stats/report?month={month}"}
    for name, path in pages.items():
        http.get(base + path, timeout=600)  # warm-up
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            answer = http.get(base + path, timeout=600)
            times.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}")
        f.pages[name] = times


def run_one(kind: str, url: str, args: argparse.Namespace, size: Callable[[], int]
            ) -> Figures:
    """Prepare, write, measure one database."""
    f = Figures(kind)
    prepare(url, args.terminals)
    last = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)  # end of last month
    data = year(args.terminals, args.days, last, seed=18)
    started = time.perf_counter()
    if kind == "sqlite":
        write_sqlite(url.split("///", 1)[1], data, f)
    else:
        write_postgres(url.replace("postgresql+psycopg://", "postgresql://"), data, f)
    f.write_seconds = time.perf_counter() - started
    f.size_bytes = size()
    process, base = _start_console(url)
    try:
        month = f"{last:%Y-%m}"
        empty = f"{last - timedelta(days=args.days + 62):%Y-%m}"
        time_pages(base, month, empty, f)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return f


def report(f: Figures, args: argparse.Namespace) -> None:
    """Print one database's figures."""
    print(f"[{f.database}] {args.terminals} terminals x {args.days} days: "
          f"{f.daily_rows:,} daily and {f.monthly_rows:,} monthly count rows, "
          f"{f.items:,} 差评/办不成事 work items "
          f"(+ their usage records), written in {f.write_seconds:.0f} s; "
          f"database {f.size_bytes / 2**20:,.0f} MiB")
    floor = statistics.median(next(iter(f.pages.values())))
    for name, times in f.pages.items():
        median = statistics.median(times)
        print(f"  {name:<34} median {median * 1000:8.0f} ms, best {min(times) * 1000:8.0f} ms;"
              f" ratio to floor {median / floor:6.1f}")


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench stats", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    if args.terminals < 8 or args.days < 31:
        parser.error("--terminals must be at least 8 and --days at least 31")
    from kiosk.console.pgtemp import PostgresUnavailable, start_temp_postgres

    results = []
    with tempfile.TemporaryDirectory(prefix="stats-bench-") as tmp:
        if args.db in ("sqlite", "both"):
            path = Path(tmp) / "console.db"
            results.append(run_one("sqlite", f"sqlite:///{path}", args,
                                   lambda: sum(p.stat().st_size for p in Path(tmp).glob(
                                       "console.db*"))))
            report(results[-1], args)
        if args.db in ("postgresql", "both"):
            try:
                server = start_temp_postgres()
            except PostgresUnavailable as exc:
                print(f"kiosk bench stats: {exc}", file=sys.stderr)
                return 1
            try:
                name = server.new_database()

                def pg_size() -> int:
                    with psycopg.connect(server.url) as conn:
                        row = conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
                    return int(row[0]) if row else 0

                results.append(run_one("postgresql", server.sqlalchemy_url(name), args, pg_size))
                report(results[-1], args)
            finally:
                server.stop()
    return 0
