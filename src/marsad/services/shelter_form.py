"""`marsad shelter form`: the registration XLSForm written as a workbook, after pyxform (the
XLSForm reference converter KoBo and ODK use) has turned it into an XForm without error."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from marsad.errors import InputError
from marsad.shelter.xlsform import FORM_ID, workbook


def form_bytes() -> bytes:
    """The XLSForm as XLSX bytes."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in workbook().items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xform(xlsx: bytes) -> str:
    """The XForm pyxform makes of an XLSForm; InputError with pyxform's reason if it cannot."""
    try:
        return str(convert(xlsform=io.BytesIO(xlsx), form_name=FORM_ID).xform)
    except PyXFormError as error:
        raise InputError(f"the registration form does not convert: {error}") from error


def write_form(out: Path) -> str:
    """Write the form to `out` once pyxform converts it; returns the XForm."""
    data = form_bytes()
    converted = xform(data)
    out.write_bytes(data)
    return converted
