"""The one error hierarchy: what Marsad raises when a request cannot be done as asked.

The faces (the CLI and the web) turn a `MarsadError` into a message for the person who asked,
and treat any other exception as a bug in Marsad: shown as one, never as a raw traceback nor as
if the user had made a mistake. So a service raises one of these for anything a user can cause
or fix, and lets everything else through.

    MarsadError
    ├── InputError          what was given cannot be used: a file, a value, an option
    │   ├── NotFound        it names something the store does not hold
    │   └── Conflict        well formed, but the store's state refuses it (already undone…)
    ├── PermissionDenied    the user may not do this
    └── StoreError          the store cannot serve the request
        ├── StoreUnreachable  no connection (a server down, a folder that does not exist)
        └── StoreBusy         another writer holds it; try again later

`InputError` is also a `ValueError`, so that code which reads a bad value as a ValueError
(parsers turning it into a quarantine reason, callers of the pure packages) keeps working;
the faces never catch ValueError itself. Messages are plain English sentences that name the
file, row, field or id concerned, and never a value of a record's name.
"""

from __future__ import annotations


class MarsadError(Exception):
    """Anything a user can cause and fix: the faces show its message, nothing more."""


class InputError(MarsadError, ValueError):
    """A file, value or option that cannot be used as given."""


class NotFound(InputError):
    """The request names a person, record, release, user… that the store does not hold."""


class Conflict(InputError):
    """A request the store's current state refuses (already undone, never proposed…)."""


class PermissionDenied(MarsadError):
    """The user (or their role) may not do this."""


class StoreError(MarsadError):
    """The store cannot serve the request."""


class StoreUnreachable(StoreError):
    """The store cannot be opened: a server that is down or refuses us, a missing folder."""


class StoreBusy(StoreError):
    """Another writer holds the store; the request can be made again later."""


class TooManyJobs(MarsadError):
    """The server runs or holds as many jobs as it may, or cannot start one now; the request
    can be made again later (HTTP 429)."""
