"""Web load: simulated team members searching, reading person pages and reviewing pairs, against
a store of about a million records on SQLite, served by `marsad serve` in its own processes.

    .venv/bin/python benchmarks/web_load.py --store /tmp/web-1m --people 1000000
    .venv/bin/python benchmarks/web_load.py --store /tmp/web-1m --users 50 --seconds 60

The store is built once and reused: `marsad synth` lists, the real ingest, persons assigned from
the scenario's truth (linkage quality is measured in benchmarks/linkage.py; here only the web
is measured), then the real verification of every person; model decisions for a few thousand
pairs give the review queue. Each simulated user logs in (Argon2, as in production) and opens
the dashboard (timed apart: it is computed once per state of the store); the logins come one
after another, as a team's mornings do (they are rate-limited per client address). Then each
user loops: a name search (half full names in Latin spelling, so the cross-script keys are
used; half a first name's beginning in either script, "prefix"), the person page of a search
hit, the review queue (the pair beside their persons' other records), reading each page for
`--think` seconds on average (uniform, ±50%) as a team member does; `--think 0` makes it a
stress test with no pause at all. Latency is measured by the client per request, from send
to the last byte; throughput is completed requests per second. The load generator runs on the
same machine and takes CPU from the server: the figures are a floor. Results go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import bindparam, func, insert, select, update

ROOT = Path(__file__).resolve().parents[1]
MARSAD = str(ROOT / ".venv" / "bin" / "marsad")
PASSWORD = "benchmark password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PERSON_LINK = re.compile(r'href="/persons/(\d+)"')


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def build(store: Path, people: int) -> str:
    """Synthesise, ingest, assign persons from the truth, verify; return the store URL."""
    from marsad.services.demo import ingest_scenario, read_truth
    from marsad.services.verify import verify
    from marsad.store.db import open_store
    from marsad.store.models import LinkDecision, Person, Record, Source
    from marsad.synth import generate, write_scenario

    url = f"sqlite:///{store / 'marsad.db'}"
    if (store / "ready").exists():
        return url
    store.mkdir(parents=True, exist_ok=True)
    lists = store / "lists"
    started = time.perf_counter()
    write_scenario(generate(seed=11, people=people, lists=4), lists)
    say(f"synthesised {people:,} people in {time.perf_counter() - started:.0f} s")
    engine = open_store(url)
    started = time.perf_counter()
    summaries = ingest_scenario(engine, lists)
    records = sum(s.rows_recorded for s in summaries)
    say(f"ingested {records:,} records in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    truth = read_truth(lists / "truth.csv")
    people_ids = {p: i + 1 for i, p in enumerate(sorted(set(truth.values())))}
    with engine.begin() as conn:
        conn.execute(insert(Person), [{"id": pid} for pid in people_ids.values()])
        rows = conn.execute(
            select(Record.id, Source.name, Record.record_id).join(
                Source, Source.id == Record.source_id
            )
        ).all()
        assignment = [{"rid": r.id, "pid": people_ids[truth[(r.name, r.record_id)]]} for r in rows]
        statement = (
            update(Record).where(Record.id == bindparam("rid")).values(person_id=bindparam("pid"))
        )
        for start in range(0, len(assignment), 50_000):
            conn.execute(statement, assignment[start : start + 50_000])
        by_person: dict[int, list[int]] = defaultdict(list)
        for item in assignment:
            by_person[item["pid"]].append(item["rid"])
        rng = random.Random(3)
        pairs = [ids[:2] for ids in by_person.values() if len(ids) > 1]
        rng.shuffle(pairs)
        conn.execute(
            insert(LinkDecision),
            [
                {
                    "record_a_id": a,
                    "record_b_id": b,
                    "kind": "model",
                    "decision": "uncertain",
                    "score": 0.7,
                    "decided_by": "benchmark",
                }
                for a, b in pairs[:5000]
            ],
        )
    say(f"assigned {len(people_ids):,} persons in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    summary = verify(engine, user="benchmark")
    say(f"verified {summary.persons:,} persons in {time.perf_counter() - started:.0f} s")
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Record))
    engine.dispose()
    (store / "ready").write_text(f"{total}\n", encoding="utf-8")
    return url


def list_names(store: Path, count: int) -> tuple[list[str], list[str]]:
    """Full names written in Latin letters by the lists, to search for across scripts, and
    names in Arabic script, whose beginnings are searched for as prefixes."""
    latin: list[str] = []
    arabic: list[str] = []
    for path in sorted((store / "lists").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if "name" not in (reader.fieldnames or []):
                continue
            for row in reader:
                name = row["name"]
                if name.isascii() and len(latin) < count:
                    latin.append(name)
                elif not name.isascii() and len(arabic) < count:
                    arabic.append(name)
    return latin, arabic


def prefix(name: str) -> str:
    """What someone types before the name is complete: the first word's first letters."""
    first = name.split()[0]
    return first[: max(3, len(first) - 2)]


def team(url: str, users: int) -> None:
    """One reviewer account per simulated user (logins are rate-limited per account)."""
    from sqlalchemy import select

    from marsad.services.users import add_user
    from marsad.store.db import open_store
    from marsad.store.models import User

    engine = open_store(url)
    with engine.connect() as conn:
        existing = set(conn.scalars(select(User.username)))
    for n in range(users):
        if f"bench-reviewer-{n}" not in existing:
            add_user(engine, f"bench-reviewer-{n}", PASSWORD, "reviewer", language="en")
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def log_in(base: str, seed: int) -> httpx.AsyncClient:
    """A client with a session of its own reviewer account."""
    client = httpx.AsyncClient(base_url=base, timeout=60)
    page = await client.get("/login")
    token = CSRF.search(page.text)
    form = {"username": f"bench-reviewer-{seed}", "password": PASSWORD}
    if token:
        form["csrf_token"] = token.group(1)
    await client.post("/login", data=form)
    return client


async def user_session(
    client: httpx.AsyncClient,
    names: tuple[list[str], list[str]],
    until: float,
    think: float,
    latencies: dict[str, list[float]],
    errors: list[str],
    seed: int,
) -> None:
    rng = random.Random(seed)

    async def pause() -> None:
        if think > 0:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    try:
        before = len(errors)
        await timed(client, "dashboard", "/", latencies, errors)
        if len(errors) > before:
            return
        await pause()
        latin, arabic = names
        while time.perf_counter() < until:
            if rng.random() < 0.5 or not arabic:
                kind, name = "search", rng.choice(latin)
            else:
                kind, name = "prefix", prefix(rng.choice(arabic + latin))
            found = await timed(client, kind, f"/search?name={name}", latencies, errors)
            await pause()
            persons = PERSON_LINK.findall(found)
            if persons:
                await timed(client, "person", f"/persons/{rng.choice(persons)}", latencies, errors)
                await pause()
            await timed(client, "review", "/review", latencies, errors)
            await pause()
    finally:
        await client.aclose()


async def timed(
    client: httpx.AsyncClient,
    kind: str,
    path: str,
    latencies: dict[str, list[float]],
    errors: list[str],
) -> str:
    started = time.perf_counter()
    try:
        response = await client.get(path)
    except httpx.TransportError as error:  # a dropped connection is a result, not a crash
        errors.append(f"{kind} {type(error).__name__}")
        return ""
    latencies[kind].append(time.perf_counter() - started)
    if response.status_code != 200:
        errors.append(f"{kind} {response.status_code}")
    return response.text


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(
    base: str, names: tuple[list[str], list[str]], users: int, seconds: float, think: float
) -> None:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    clients = [await log_in(base, seed) for seed in range(users)]
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(
            user_session(client, names, until, think, latencies, errors, seed)
            for seed, client in enumerate(clients)
        )
    )
    elapsed = time.perf_counter() - started
    everything = [v for values in latencies.values() for v in values]
    summary = f"{users} users, think time {think:g} s, for {elapsed:.0f} s"
    print(f"\n{summary}: {len(everything):,} requests")
    print(f"throughput {len(everything) / elapsed:.1f} requests/s; errors {len(errors)}")
    print(f"{'kind':<8}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind, values in [*sorted(latencies.items()), ("all", everything)]:
        print(
            f"{kind:<8}{len(values):>8}{statistics.median(values) * 1000:>10.0f}"
            f"{percentile(values, 0.95) * 1000:>10.0f}{percentile(values, 0.99) * 1000:>10.0f}"
            f"{max(values) * 1000:>10.0f}"
        )
    if errors:
        print("errors:", sorted(set(errors))[:10])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path("/tmp/marsad-web-load"))
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="Mean seconds a user reads a page before the next click (0: no pause, a stress test).",
    )
    args = parser.parse_args()
    url = build(args.store, args.people)
    records = (args.store / "ready").read_text(encoding="utf-8").strip()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"store: {url} with {int(records):,} records")
    names = list_names(args.store, 5000)
    team(url, args.users)
    port = free_port()
    server = subprocess.Popen(
        [MARSAD, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        asyncio.run(load(base, names, args.users, args.seconds, args.think))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
