"""What can go wrong with evidence, as messages a user can act on (input errors of the one
hierarchy in marsad.errors, which the CLI and the web show as their message)."""

from __future__ import annotations

from marsad.errors import InputError


class EvidenceError(InputError):
    """An evidence operation the store cannot carry out (unknown item, unreadable file…)."""


class TimestampError(EvidenceError):
    """The time-stamping authority could not be reached, refused, or answered with a token
    that does not verify."""


class WitnessKeyError(EvidenceError):
    """The key-encryption key is missing, malformed, or not the one the data keys were
    wrapped with."""
