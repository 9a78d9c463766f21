"""Envelope encryption of witnesses' identities and contacts.

Each field is sealed with AES-256-GCM under a data key; data keys are kept in the store only
wrapped (AES key wrap, RFC 3394) by a key-encryption key (KEK) that never enters the store: a
key file or an environment variable on the machine that may decrypt. Rotating the KEK
rewraps the few data keys and leaves every sealed field as it is. The associated data binds
a ciphertext to its witness and field, so one witness's sealed name cannot be moved onto
another's row, or into the contact field, without failing to open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from marsad.evidence.errors import WitnessKeyError

KEY_BYTES = 32
NONCE_BYTES = 12
FIELDS = ("identity", "contact")


@dataclass(frozen=True)
class KeyEncryptionKey:
    key: bytes

    @property
    def id(self) -> str:
        """A short fingerprint, stored beside each wrapped data key, that names the KEK
        without revealing it."""
        return hashlib.sha256(b"marsad-witness-kek\x00" + self.key).hexdigest()[:16]

    @classmethod
    def from_text(cls, text: str, where: str) -> KeyEncryptionKey:
        """A KEK written as base64 of 32 random bytes (`marsad evidence witness new-key`)."""
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise WitnessKeyError(f"{where}: the witness key is not base64") from None
        if len(key) != KEY_BYTES:
            raise WitnessKeyError(f"{where}: the witness key must be {KEY_BYTES} bytes")
        return cls(key)


def new_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def wrap(kek: KeyEncryptionKey, data_key: bytes) -> bytes:
    return aes_key_wrap(kek.key, data_key)


def unwrap(kek: KeyEncryptionKey, wrapped: bytes) -> bytes:
    try:
        return aes_key_unwrap(kek.key, wrapped)
    except InvalidUnwrap:
        raise WitnessKeyError("the witness key does not open this data key") from None


def _context(pseudonym: str, field: str) -> bytes:
    return f"marsad-witness\x00{pseudonym}\x00{field}".encode()


def seal(data_key: bytes, pseudonym: str, field: str, plaintext: str) -> bytes:
    """Nonce then ciphertext and tag; a fresh random nonce for every seal."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext.encode(), _context(pseudonym, field))


def open_sealed(data_key: bytes, pseudonym: str, field: str, sealed: bytes) -> str:
    try:
        plain = AESGCM(data_key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _context(pseudonym, field)
        )
    except InvalidTag:
        raise WitnessKeyError(
            f"witness {pseudonym}: the {field} does not open (altered, or moved from another row)"
        ) from None
    return plain.decode()
