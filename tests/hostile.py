"""Hostile files for the upload limits' tests and benchmarks: workbooks that unpack to far more
than they weigh (zip bombs), honest about their sizes or lying about them."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
_ROW = b'<row><c t="inlineStr"><is><t>0</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>'
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>record_id</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
)
_TAIL = b"</sheetData></worksheet>"


def xlsx_bomb(path: Path, unpacked_bytes: int, declared_bytes: int | None = None) -> Path:
    """A real workbook (made by openpyxl) whose sheet is replaced by `unpacked_bytes` of rows,
    written to the zip in chunks (never held whole). With `declared_bytes`, the zip's central
    directory claims the sheet unpacks to that instead: a lying bomb."""
    plain = path.with_suffix(".plain.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["record_id", "name"])  # type: ignore[union-attr]
    book.save(plain)
    chunk = _ROW * (1024 * 1024 // len(_ROW))
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            if member.filename != SHEET:
                out.writestr(member, source.read(member))
        with out.open(SHEET, "w", force_zip64=False) as sheet:
            sheet.write(_HEAD)
            written = len(_HEAD)
            while written < unpacked_bytes:
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(_TAIL)
    plain.unlink()
    if declared_bytes is not None:
        _declare(path, SHEET, declared_bytes)
    return path


def _declare(path: Path, name: str, size: int) -> None:
    """Rewrite the uncompressed size the central directory gives for `name`."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))
