"""A real RFC 3161 time-stamping authority for the test suite, made with OpenSSL on loopback.

`TimestampAuthority.start()` creates a test CA in a temporary directory (a self-signed root and
a TSA certificate with the critical timeStamping extended key usage, both EC P-256) and serves
`POST /` on 127.0.0.1 with Python's http.server: each request is piped through
`openssl ts -reply`. Setting `refusing` makes it answer 503, as a TSA that is down would.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TS_CONFIG = """\
[ tsa ]
default_tsa = marsad_test
[ marsad_test ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""

TSA_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(*args: str, cwd: Path) -> None:
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl was not found; scripts/system-deps.sh installs it")
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path, name: str) -> None:
    """root.pem/key, tsa.pem/key, chain.pem (TSA certificate then root) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "root.key", "-out", "root.pem", "-days", "3650",
        "-subj", f"/O={name}/CN={name} Root",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "req", "-new", *ec, "-keyout", "tsa.key", "-out", "tsa.csr",
        "-subj", f"/O={name}/CN={name} TSA",
        cwd=directory,
    )  # fmt: skip
    (directory / "tsa.ext").write_text(TSA_EXTENSIONS)
    _openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "root.pem", "-CAkey", "root.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "3650", "-extfile", "tsa.ext",
        cwd=directory,
    )  # fmt: skip
    (directory / "chain.pem").write_bytes(
        (directory / "tsa.pem").read_bytes() + (directory / "root.pem").read_bytes()
    )
    (directory / "serial").write_text("01\n")
    (directory / "ts.cnf").write_text(TS_CONFIG.format(dir=directory))


def reply(directory: Path, query: bytes) -> bytes:
    """`openssl ts -reply` for one DER query, by the CA in `directory`."""
    with tempfile.TemporaryDirectory(dir=directory) as work:
        (Path(work) / "query.tsq").write_bytes(query)
        _openssl(
            "ts", "-reply", "-config", str(directory / "ts.cnf"),
            "-queryfile", "query.tsq", "-out", "reply.tsr",
            cwd=Path(work),
        )  # fmt: skip
        return (Path(work) / "reply.tsr").read_bytes()


@dataclass
class TimestampAuthority:
    directory: Path
    server: ThreadingHTTPServer
    refusing: bool = False
    served: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def chain(self) -> Path:
        """The PEM bundle Marsad is configured with (TSA certificate and root)."""
        return self.directory / "chain.pem"

    @classmethod
    def start(cls, name: str = "Marsad Test") -> TimestampAuthority:
        directory = Path(tempfile.mkdtemp(prefix="marsad-tsa-"))
        make_ca(directory, name)
        authority: TimestampAuthority

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if authority.refusing:
                    self.send_error(503, "time-stamping authority down")
                    return
                try:
                    with authority._lock:  # openssl ts -reply updates one serial file
                        answer = reply(authority.directory, query)
                        authority.served += 1
                except subprocess.CalledProcessError:
                    self.send_error(400, "bad timestamp query")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        authority = cls(directory, server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return authority

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.directory, ignore_errors=True)
