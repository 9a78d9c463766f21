"""Hostile load on the login and upload paths of `marsad serve`, bounded and on loopback only.

    .venv/bin/python benchmarks/hardening_load.py        # 1,000 bad logins, a 100 MB bomb
    .venv/bin/python benchmarks/hardening_load.py --bad-logins 200 --bomb-mb 100 --uploads 10

A fresh SQLite store is served by the real command (`marsad serve`, one worker, 127.0.0.1, with
127.0.0.1 as its trusted proxy so that X-Forwarded-For names each simulated client). Then:

1. logins: `--bad-logins` wrong passwords from one client (random usernames and the admin's,
   `--concurrency` at a time), then the admin's correct password from another client, which
   must succeed (the script exits 1 if it does not); the bad logins' statuses and latencies,
   and the correct login's latency;
2. uploads: a workbook that unpacks to `--bomb-mb` MB (a zip bomb a few hundred KB in size) is
   uploaded as a data-entry user; the time from the upload to its job being marked failed, and
   the serving process's peak resident memory over the upload (VmHWM, reset just before, /proc),
   after a warm-up upload that loads the readers (`--upload-mb` sets the server's limit: above
   the bomb's size, only the row limit stops it); then `--uploads` small lists one after
   another, with the time each takes to be ingested.

Nothing leaves the machine: the server listens on 127.0.0.1 only and the client calls it there.
Results go to docs/benchmarks.md with the load average printed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MARSAD = str(ROOT / ".venv" / "bin" / "marsad")
PASSWORD = "seven amber kettles hum"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MB = 1024 * 1024


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reset_peak(pid: int) -> None:
    """Start the process's peak resident memory (VmHWM) again from its resident memory now
    (Linux: "5" in /proc/PID/clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident since start) of a process, in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def csrf(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> str:
    found = CSRF.search((await client.get(path, headers=headers)).text)
    assert found is not None, f"no CSRF token on {path}"
    return found.group(1)


async def login(
    client: httpx.AsyncClient, name: str, password: str, address: str
) -> tuple[int, float]:
    headers = {"X-Forwarded-For": address}
    token = await csrf(client, "/login", headers)
    started = time.perf_counter()
    response = await client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token},
        headers=headers,
    )
    return response.status_code, time.perf_counter() - started


async def bad_logins(base: str, count: int, concurrency: int) -> tuple[Counter[int], list[float]]:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    queue = list(range(count))

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while queue:
                n = queue.pop()
                name = "admin" if n % 10 == 0 else f"guess-{secrets.token_hex(4)}"
                status, seconds = await login(client, name, "not the password", "203.0.113.9")
                statuses[status] += 1
                latencies.append(seconds)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses, latencies


async def upload(client: httpx.AsyncClient, path: Path, source: str) -> str:
    token = await csrf(client, "/sources", {})
    with path.open("rb") as handle:
        response = await client.post(
            "/sources",
            data={"csrf_token": token, "source": source},
            files={"file": (path.name, handle, "application/octet-stream")},
        )
    location = response.headers["location"]
    return location.removeprefix("/sources?job=")


async def finished(client: httpx.AsyncClient, job_id: str, limit: float = 300) -> dict[str, object]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        jobs = {j["id"]: j for j in (await client.get("/sources/jobs")).json()["jobs"]}
        if jobs[job_id]["state"] != "running":
            return dict(jobs[job_id])
        await asyncio.sleep(0.02)
    raise SystemExit(f"job {job_id} still running after {limit:.0f} s")


async def main(args: argparse.Namespace) -> int:
    from tests.hostile import xlsx_bomb
    from tests.integration.helpers import person, write_csv

    from marsad.services.users import add_user
    from marsad.store.db import open_store

    directory = Path(tempfile.mkdtemp(prefix="marsad-hardening-"))
    url = f"sqlite:///{directory / 'marsad.db'}"
    engine = open_store(url)
    add_user(engine, "admin", PASSWORD, "admin", language="en")
    add_user(engine, "clerk", PASSWORD, "data_entry", language="en")
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            *(MARSAD, "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port)),
            *("--upload-mb", str(args.upload_mb)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("marsad serve did not start")
            time.sleep(0.2)

        say(f"{args.bad_logins:,} bad logins from one client, {args.concurrency} at a time")
        started = time.perf_counter()
        statuses, latencies = await bad_logins(base, args.bad_logins, args.concurrency)
        elapsed = time.perf_counter() - started
        latencies.sort()
        say(
            f"  statuses {dict(sorted(statuses.items()))}; {args.bad_logins / elapsed:.0f}/s; "
            f"median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms"
        )
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            status, seconds = await login(client, "admin", PASSWORD, "198.51.100.7")
        say(f"  the admin's correct login from another client: {status} in {seconds * 1000:.0f} ms")
        if status != 303:
            say("FAILED: the correct login was refused")
            return 1

        async with httpx.AsyncClient(base_url=base, timeout=300) as client:
            status, _ = await login(client, "clerk", PASSWORD, "198.51.100.8")
            assert status == 303
            small = write_csv(
                directory / "warm.csv", [person(f"w{i}", f"Warm Up Person{i}") for i in range(5)]
            )
            await finished(client, await upload(client, small, "Warm-up"))
            bomb = xlsx_bomb(directory / "list.xlsx", args.bomb_mb * MB)
            weight = bomb.stat().st_size / 1024
            say(f"a workbook of {weight:.0f} KB that unpacks to {args.bomb_mb} MB")
            reset_peak(server.pid)
            rss, peak_before = peak_memory_mb(server.pid)
            started = time.perf_counter()
            job = await finished(client, await upload(client, bomb, "Bomb"))
            refused_in = time.perf_counter() - started
            _, peak_after = peak_memory_mb(server.pid)
            say(
                f"  {job['state']} in {refused_in:.2f} s: {job['error']}; server resident "
                f"{rss:.0f} MB, peak {peak_before:.0f} -> {peak_after:.0f} MB "
                f"(+{peak_after - peak_before:.0f} MB)"
            )
            if job["state"] != "failed":
                say("FAILED: the workbook was not refused")
                return 1
            times = []
            for n in range(args.uploads):
                rows = [person(f"u{n}-{i}", f"Upload{n} Person{i} Hasan") for i in range(200)]
                listed = write_csv(directory / f"list{n}.csv", rows)
                started = time.perf_counter()
                done = await finished(client, await upload(client, listed, f"List {n}"))
                times.append(time.perf_counter() - started)
                assert done["state"] == "done", done
            if times:
                median = statistics.median(times)
                say(
                    f"  {args.uploads} uploads of 200 rows: median {median:.2f} s, "
                    f"slowest {max(times):.2f} s"
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    say(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bad-logins", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--bomb-mb", type=int, default=100)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument(
        "--upload-mb", type=int, default=64, help="The server's limit (marsad serve --upload-mb)."
    )
    arguments = parser.parse_args()
    if not 1 <= arguments.bad_logins <= 10_000 or not 1 <= arguments.concurrency <= 32:
        parser.error("bounded: 1-10,000 bad logins, 1-32 at a time")
    sys.exit(asyncio.run(main(arguments)))
