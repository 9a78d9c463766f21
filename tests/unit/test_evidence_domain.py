"""Evidence's pure parts: streaming hashes, media types from content, capture metadata,
RFC 3161 tokens (against a real OpenSSL TSA) and the sealing of witnesses' fields."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import tempfile
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from marsad.evidence import witness as sealing
from marsad.evidence.capture import capture_metadata
from marsad.evidence.errors import TimestampError, WitnessKeyError
from marsad.evidence.hashing import CHUNK, stream_digests
from marsad.evidence.media import media_type
from marsad.evidence.timestamps import TrustChain, check_token, request_for
from tests.tsa import TimestampAuthority, make_ca, reply

QUICKTIME_EPOCH = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(created: dt.datetime | None) -> bytes:
    """A minimal MP4: ftyp, a moov with its movie header (mvhd), and some media data."""
    seconds = 0 if created is None else int((created - QUICKTIME_EPOCH).total_seconds())
    header = bytes(4) + struct.pack(">IIII", seconds, seconds, 1000, 5000)
    header += struct.pack(">IH", 0x00010000, 0x0100) + bytes(10 + 36 + 24) + struct.pack(">I", 2)
    return (
        box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
        + box(b"moov", box(b"mvhd", header))
        + box(b"mdat", bytes(4096))
    )


def jpeg(path: Path, gps: bool = True) -> Path:
    exif = Image.Exif()
    exif[271], exif[272] = "Canon", "EOS 5D"
    exif.get_ifd(0x8769)[36867] = "2025:03:07 10:30:15"
    if gps:
        exif[0x8825] = {1: "N", 2: (35.0, 31.0, 12.0), 3: "E", 4: (35.0, 47.0, 0.0)}
    Image.new("RGB", (16, 16), "red").save(path, format="JPEG", exif=exif)
    return path


@given(st.binary(max_size=3 * CHUNK + 17))
def test_streaming_hashes_are_the_hashes_and_the_copy_is_the_file(data: bytes) -> None:
    sink = io.BytesIO()
    found = stream_digests(io.BytesIO(data), sink)
    assert found.sha256 == hashlib.sha256(data).hexdigest()
    assert found.sha512 == hashlib.sha512(data).hexdigest()
    assert found.size == len(data) and sink.getvalue() == data
    assert found.head == data[:8192]


def test_media_type_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "statement.txt")
    assert media_type(photo.read_bytes()[:8192]) == "image/jpeg"
    assert media_type(mp4(None)) == "video/mp4"
    assert media_type("شهادة أم عن مقتل ابنها".encode()) == "text/plain"
    assert media_type("é".encode()[:1] + b"abc") == "application/octet-stream"
    assert media_type(b"\x00\x01\x02binary") == "application/octet-stream"
    assert media_type(b"") == "application/octet-stream"


def test_exif_date_camera_and_gps_are_read(tmp_path: Path) -> None:
    found = capture_metadata(jpeg(tmp_path / "p.jpg"), "image/jpeg")
    assert found == {
        "taken_at": "2025-03-07T10:30:15",
        "taken_at_from": "exif",
        "camera": "Canon EOS 5D",
        "gps": {"lat": 35.52, "lon": 35.7833333},
    }
    assert "gps" not in capture_metadata(jpeg(tmp_path / "q.jpg", gps=False), "image/jpeg")


def test_video_creation_time_comes_from_the_movie_header(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(mp4(dt.datetime(2025, 3, 7, 8, 15, tzinfo=dt.UTC)))
    assert capture_metadata(video, "video/mp4") == {
        "created_at": "2025-03-07T08:15:00Z",
        "created_at_from": "container",
    }
    video.write_bytes(mp4(None))
    assert capture_metadata(video, "video/mp4") == {}


@given(st.binary(max_size=2000), st.sampled_from(["image/jpeg", "video/mp4", "image/png"]))
def test_hostile_files_give_no_metadata_and_no_error(data: bytes, kind: str) -> None:
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        assert isinstance(capture_metadata(Path(handle.name), kind), dict)


def ask(tsa: TimestampAuthority, query: bytes) -> bytes:
    request = urllib.request.Request(
        tsa.url, data=query, headers={"Content-Type": "application/timestamp-query"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return bytes(answer.read())


def test_a_token_verifies_for_its_digest_only(tsa: TimestampAuthority) -> None:
    chain = TrustChain.from_pem(tsa.chain.read_bytes(), "chain.pem")
    digest = hashlib.sha256(b"a mother's account").hexdigest()
    request = request_for(digest)
    token = check_token(ask(tsa, request.der), digest, chain, request.nonce)
    assert abs(token.gen_time - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
        minutes=5
    )
    other = hashlib.sha256(b"another file").hexdigest()
    with pytest.raises(TimestampError, match="Mismatch between messages"):
        check_token(token.der, other, chain)
    with pytest.raises(TimestampError, match="Nonce mismatch"):
        check_token(token.der, digest, chain, request.nonce + 1)
    with pytest.raises(TimestampError, match="not a timestamp response"):
        check_token(b"\x30\x03\x02\x01\x00", digest, chain)


def test_a_token_of_another_tsa_does_not_verify(tsa: TimestampAuthority, tmp_path: Path) -> None:
    make_ca(tmp_path / "other", "Other TSA")
    ours = TrustChain.from_pem(tsa.chain.read_bytes(), "chain.pem")
    digest = hashlib.sha256(b"x").hexdigest()
    forged = reply(tmp_path / "other", request_for(digest).der)
    with pytest.raises(TimestampError):
        check_token(forged, digest, ours)
    theirs = TrustChain.from_pem((tmp_path / "other" / "chain.pem").read_bytes(), "other")
    assert check_token(forged, digest, theirs).policy == "1.3.6.1.4.1.99999.1"


def test_a_chain_needs_the_tsa_certificate_and_its_root(tsa: TimestampAuthority) -> None:
    root_only = (tsa.directory / "root.pem").read_bytes()
    with pytest.raises(TimestampError, match="needs the TSA's certificate"):
        TrustChain.from_pem(root_only, "root.pem")
    with pytest.raises(TimestampError, match="not a PEM"):
        TrustChain.from_pem(b"hello", "bad.pem")


def test_sealed_fields_open_only_with_their_key_witness_and_field() -> None:
    kek = sealing.KeyEncryptionKey.from_text(sealing.new_key_text(), "test")
    data_key = sealing.new_data_key()
    wrapped = sealing.wrap(kek, data_key)
    assert sealing.unwrap(kek, wrapped) == data_key
    other = sealing.KeyEncryptionKey.from_text(sealing.new_key_text(), "test")
    with pytest.raises(WitnessKeyError):
        sealing.unwrap(other, wrapped)
    sealed = sealing.seal(data_key, "W-17", "identity", "فاطمة حسن")
    assert "فاطمة".encode() not in sealed
    assert sealing.open_sealed(data_key, "W-17", "identity", sealed) == "فاطمة حسن"
    assert sealing.seal(data_key, "W-17", "identity", "فاطمة حسن") != sealed  # fresh nonce
    for pseudonym, field in (("W-18", "identity"), ("W-17", "contact")):
        with pytest.raises(WitnessKeyError, match="does not open"):
            sealing.open_sealed(data_key, pseudonym, field, sealed)
    flipped = bytes([sealed[0] ^ 1]) + sealed[1:]
    with pytest.raises(WitnessKeyError):
        sealing.open_sealed(data_key, "W-17", "identity", flipped)


@pytest.mark.parametrize("text", ["", "not base64!", "c2hvcnQ="])
def test_a_malformed_witness_key_is_refused(text: str) -> None:
    with pytest.raises(WitnessKeyError):
        sealing.KeyEncryptionKey.from_text(text, "MARSAD_WITNESS_KEY")
