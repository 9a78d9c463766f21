"""Evidence at scale: a 4 GiB file hashed (SHA-256 and SHA-512 while streaming) side by side
with `sha256sum`, then stored, timestamped and recorded by `add_evidence`, with the peak memory
of the process that did it.

    .venv/bin/python -m benchmarks.evidence [--size-gib 4] [--rounds 3] [--dir /var/tmp]

The file is made in a temporary directory on the same disk as the evidence directory: sparse
(a hole) with 1 MiB of random bytes every 64 MiB, so that making it costs no disk space; it is
removed at the end. Each measurement runs in a child process (`os.wait4` gives its CPU time and
peak resident memory); the hashing rounds alternate between `sha256sum` and Marsad so that the
load of a shared machine weighs on both alike. The time-stamping authority is the test suite's
(OpenSSL on loopback, tests/tsa.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.tsa import TimestampAuthority

MIB = 1 << 20

HASH_CHILD = """
import sys
from pathlib import Path
from marsad.evidence.hashing import file_digests
print(file_digests(Path(sys.argv[1])).sha256)
"""

ADD_CHILD = """
import sys
from pathlib import Path
from marsad.evidence.timestamps import TrustChain
from marsad.services.evidence import Receipt, add_evidence
from marsad.services.evidence_settings import EvidenceSettings, Tsa
from marsad.store.db import open_store
source, store, evidence, url, certs = sys.argv[1:]
chain = TrustChain.from_pem(Path(certs).read_bytes(), certs)
settings = EvidenceSettings(Path(evidence), Tsa(url, chain), chain)
engine = open_store(store)
[added] = add_evidence(engine, settings, [Path(source)], Receipt("Benchmark"), "benchmark")
assert added.timestamped, added.timestamp_error
print(added.sha256)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    peak_mib: float
    output: str


def child(args: list[str]) -> Run:
    """Run a child process; its wall time, CPU time (user + system) and peak RSS."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=out)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args[0]} failed: {output}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)
        for offset in range(0, size - MIB, 64 * MIB):
            handle.seek(offset)
            handle.write(os.urandom(MIB))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the temporary directory goes")
    options = parser.parse_args()
    size = int(options.size_gib * 1024 * MIB)
    work = Path(tempfile.mkdtemp(prefix="marsad-bench-evidence-", dir=options.dir))
    tsa = TimestampAuthority.start()
    try:
        source = work / "video.bin"
        make_file(source, size)
        print(f"{source}: {size / MIB:,.0f} MiB; load: {os.getloadavg()}")
        child(["sha256sum", str(source)])  # the page cache now holds it, for both alike
        ours: list[Run] = []
        theirs: list[Run] = []
        for _ in range(options.rounds):
            theirs.append(child(["sha256sum", str(source)]))
            ours.append(child([sys.executable, "-c", HASH_CHILD, str(source)]))
            assert theirs[-1].output.split()[0] == ours[-1].output.strip()
        for name, runs in (("sha256sum", theirs), ("marsad (SHA-256 + SHA-512)", ours)):
            seconds = statistics.median(r.seconds for r in runs)
            cpu = statistics.median(r.cpu for r in runs)
            print(
                f"{name}: median {seconds:.1f} s wall ({size / MIB / seconds:,.0f} MiB/s), "
                f"{cpu:.1f} s CPU; rounds {[round(r.seconds, 1) for r in runs]}"
            )
        wall = statistics.median(r.seconds for r in theirs) / statistics.median(
            r.seconds for r in ours
        )
        cpu = statistics.median(r.cpu for r in theirs) / statistics.median(r.cpu for r in ours)
        print(f"marsad's hashing throughput / sha256sum's: {wall:.0%} (wall), {cpu:.0%} (CPU)")

        added = child(
            [
                sys.executable, "-c", ADD_CHILD, str(source), str(work / "marsad.db"),
                str(work / "evidence"), tsa.url, str(tsa.chain),
            ]
        )  # fmt: skip
        assert added.output.strip() == ours[0].output.strip()
        print(
            f"add_evidence (hash while copying, read-only, timestamp, store): "
            f"{added.seconds:.1f} s wall ({size / MIB / added.seconds:,.0f} MiB/s), "
            f"{added.cpu:.1f} s CPU, peak memory {added.peak_mib:,.0f} MiB"
        )
        print(f"load after: {os.getloadavg()}")
    finally:
        tsa.stop()
        for path in work.rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
