"""An evidence package checks out with `sha256sum -c` and `openssl ts -verify` alone.

This module does not import Marsad: the package is made by running the `marsad` command, and
checked only by the two standard tools, as an accountability mechanism would check it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.tsa import TimestampAuthority

MARSAD = str(Path(sys.executable).with_name("marsad"))


def marsad(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [MARSAD, *args], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)


def test_a_package_verifies_with_sha256sum_and_openssl_alone(
    tsa: TimestampAuthority, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "MARSAD_DB": str(tmp_path / "marsad.db"),
        "MARSAD_TSA_URL": tsa.url,
        "MARSAD_TSA_CERTS": str(tsa.chain),
    }
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(
        "incident_id,date,governorate,killed,grade\nB-1,2025-03-07,Tartous,7,fair\n"
    )
    marsad(env, "incidents", "ingest", str(incidents), "--source", "Monitoring group")
    video = tmp_path / "رسالة واتساب.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(200_000))
    register = tmp_path / "register.pdf"
    register.write_bytes(b"%PDF-1.4\n" + os.urandom(5_000))
    marsad(env, "evidence", "add", str(video), str(register), "--source", "Hospital",
           "--incident", "1", "--user", "amina")  # fmt: skip
    package = tmp_path / "package.zip"
    marsad(env, "evidence", "package", "--incident", "1", "--out", str(package),
           "--user", "amina", "--reason", "request of the commission")  # fmt: skip

    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(unpacked)
    sums = tool("sha256sum", "-c", "SHA256SUMS", cwd=unpacked)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    checked = [line for line in sums.stdout.splitlines() if line.endswith(": OK")]
    originals = sorted((unpacked / "originals").iterdir())
    assert len(originals) == 2 and len(checked) >= 2 + 2 + 4  # originals, tokens, the rest
    for original in originals:
        digest = original.name.split(".")[0]
        verified = tool(
            "openssl", "ts", "-verify", "-in", f"tokens/{digest}.tsr",
            "-data", f"originals/{original.name}",
            "-CAfile", "tsa/root.pem", "-untrusted", "tsa/tsa.pem",
            cwd=unpacked,
        )  # fmt: skip
        assert verified.returncode == 0 and "Verification: OK" in verified.stdout, verified
    stamped = tool(
        "openssl", "ts", "-verify", "-in", "SHA256SUMS.tsr", "-data", "SHA256SUMS",
        "-CAfile", "tsa/root.pem", "-untrusted", "tsa/tsa.pem", cwd=unpacked,
    )  # fmt: skip
    assert "Verification: OK" in stamped.stdout, stamped

    # The same tools refuse a changed original, and a token that belongs to another file.
    first, second = originals
    first.write_bytes(first.read_bytes() + b"\x00")
    assert tool("sha256sum", "-c", "SHA256SUMS", cwd=unpacked).returncode == 1
    swapped = tool(
        "openssl", "ts", "-verify", "-in", f"tokens/{second.name.split('.')[0]}.tsr",
        "-data", f"originals/{first.name}",
        "-CAfile", "tsa/root.pem", "-untrusted", "tsa/tsa.pem", cwd=unpacked,
    )  # fmt: skip
    assert swapped.returncode != 0 and "Verification: OK" not in swapped.stdout
    readme = (unpacked / "README.txt").read_text(encoding="utf-8")
    assert "sha256sum -c SHA256SUMS" in readme and "openssl ts -verify" in readme
