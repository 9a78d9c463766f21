"""Store ids as routes take them: from 1 to 2^62, so that an id past what a database integer
holds (2^63 - 1) is refused as a bad request instead of failing in the query."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path

MAX_ID = 2**62

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
