"""Place names and OCHA p-codes for Syria: which governorate or district a spelling means.

Lists spell the same place many ways ("Lattakia", "latakia", "اللاذقية", "محافظة اللاذقية").
Every spelling is reduced to a key that ignores case, hyphens and spaces, the article
("al-", "ال"), hamza and alef forms, ta marbuta and doubled Latin letters, and looked up in a
table built from the packaged governorate list and a small district table.

OCHA p-codes are the only codes accepted: GeoNames (`SY.xx`) and ISO 3166-2 (`SY-xx`) number the
governorates differently, so a code in those systems is rejected rather than misread.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marsad.ingest.values import fold


@dataclass(frozen=True)
class Governorate:
    """An admin-1 unit: p-code SY01..SY14 with its English and Arabic names."""

    pcode: str
    name_en: str
    name_ar: str


@dataclass(frozen=True)
class District:
    """An admin-2 unit: p-code SYggdd within governorate SYgg."""

    pcode: str
    name_en: str
    name_ar: str
    adm1_pcode: str


_DISTRICTS = (
    ("SY0600", "Lattakia", "اللاذقية", "Latakia|Al-Ladhiqiyah|Ladhiqiyah|اللادقية"),
    ("SY0602", "Jablah", "جبلة", "Jableh|Jable|Jebleh|Jabla"),
    ("SY0603", "Al-Haffa", "الحفة", "Haffa|Al-Haffeh|Haffeh"),
    ("SY0604", "Al-Qardaha", "القرداحة", "Qardaha|Qerdaha|Kardaha"),
    ("SY1000", "Tartous", "طرطوس", "Tartus|Tartouss"),
    ("SY1002", "Banyas", "بانياس", "Baniyas|Banias"),
    ("SY1003", "Safita", "صافيتا", "Safitah"),
    ("SY1004", "Dreikish", "الدريكيش", "Duraykish|Dreikeesh"),
    ("SY1005", "Sheikh Badr", "الشيخ بدر", "Ash-Shaykh Badr|Shaykh Badr"),
    ("SY1006", "Qadmous", "القدموس", "Al-Qadmus|Qadmus"),
)
"""Coastal districts (docs: /work/shared/reference/README.md); the rest of the country's districts
come with the full OCHA gazetteer when it is added."""

_ARTICLES = frozenset({"al", "el", "as", "ash", "az", "ad", "ar", "at", "an", "ez", "es", "ed"})
_ADMIN_WORDS = frozenset(
    fold(w)
    for w in (
        "governorate",
        "governorates",
        "governate",
        "province",
        "gov",
        "gov.",
        "muhafazat",
        "mohafaza",
        "district",
        "mantiqa",
        "city",
        "محافظة",
        "منطقة",
        "مدينة",
    )
)
_WORD_SPLIT = re.compile(r"[\s\-_'’`ʿʾ.,]+")
_DOUBLE = re.compile(r"([a-z])\1+")
_OCHA_PCODE = re.compile(r"SY\d{2}(?:\d{2}(?:\d{2})?)?|C\d{4,6}")
_GEONAMES = re.compile(r"SY\.\d{2}")
_ISO_3166 = re.compile(r"SY-[0-9A-Z]{2}")


@lru_cache(maxsize=4096)
def place_key(name: str) -> str:
    """The spelling-insensitive key of a place name."""
    text = unicodedata.normalize("NFKD", fold(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = []
    for word in _WORD_SPLIT.split(text):
        if not word or word in _ARTICLES or word in _ADMIN_WORDS:
            continue
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        words.append(word)
    return _DOUBLE.sub(r"\1", "".join(words))


def validate_pcode(value: str) -> str:
    """Return the OCHA p-code in canonical form, or raise ValueError saying what is wrong."""
    code = value.strip().upper()
    if _OCHA_PCODE.fullmatch(code):
        if code.startswith("SY") and not 1 <= int(code[2:4]) <= 14:
            raise ValueError(f"no governorate {code[:4]} (OCHA p-codes run SY01-SY14)")
        return code
    if _GEONAMES.fullmatch(code):
        raise ValueError("a GeoNames code (SY.xx), not an OCHA p-code; map it to SY01-SY14")
    if _ISO_3166.fullmatch(code):
        raise ValueError("an ISO 3166-2 code (SY-xx), not an OCHA p-code; map it to SY01-SY14")
    raise ValueError("not an OCHA p-code (expected SYgg, SYggdd, SYggddss or Cnnnn)")


class Gazetteer:
    """Look up governorates and districts by any known spelling, and parents of p-codes."""

    def __init__(self, governorates: list[Governorate], spellings: dict[str, list[str]]) -> None:
        self._by_pcode = {g.pcode: g for g in governorates}
        self._governorates: dict[str, Governorate] = {}
        for g in governorates:
            for name in (g.name_en, g.name_ar, *spellings.get(g.pcode, ())):
                self._governorates[place_key(name)] = g
        self._districts: dict[str, list[District]] = {}
        self._districts_by_pcode: dict[str, District] = {}
        for pcode, name_en, name_ar, other in _DISTRICTS:
            d = District(pcode, name_en, name_ar, pcode[:4])
            self._districts_by_pcode[pcode] = d
            for name in (name_en, name_ar, *other.split("|")):
                same_key = self._districts.setdefault(place_key(name), [])
                if d not in same_key:
                    same_key.append(d)

    @classmethod
    def load(cls) -> Gazetteer:
        """The gazetteer of the packaged reference file `marsad/reference/syria_admin1.csv`."""
        text = resources.files("marsad").joinpath("reference/syria_admin1.csv").read_text("utf-8")
        governorates = []
        spellings: dict[str, list[str]] = {}
        for row in csv.DictReader(io.StringIO(text)):
            governorates.append(Governorate(row["pcode"], row["name_en"], row["name_ar"]))
            spellings[row["pcode"]] = [s for s in row["other_spellings"].split("|") if s]
        return cls(governorates, spellings)

    @property
    def governorates(self) -> list[Governorate]:
        return list(self._by_pcode.values())

    def governorate(self, name: str) -> Governorate | None:
        """The governorate a name (English, Arabic, or a known variant) refers to."""
        return self._governorates.get(place_key(name))

    def district(self, name: str, adm1_pcode: str | None = None) -> District | None:
        """The district a name refers to, within governorate `adm1_pcode` when given.

        Without a governorate, a name shared by districts in two governorates matches none.
        """
        found = self._districts.get(place_key(name), [])
        if adm1_pcode is not None:
            found = [d for d in found if d.adm1_pcode == adm1_pcode]
        return found[0] if len(found) == 1 else None

    def district_by_code(self, code: str) -> District | None:
        """The district of an admin-2 (or finer) p-code, when the gazetteer knows it."""
        return self._districts_by_pcode.get(code[:6]) if code.startswith("SY") else None

    def governorate_by_code(self, code: str) -> Governorate | None:
        """The governorate of a p-code as the store keeps it (canonical, any level); None for
        a community code or a value that is no p-code of this gazetteer."""
        return self._by_pcode.get(code[:4]) if code.startswith("SY") else None

    def governorate_of_pcode(self, pcode: str) -> Governorate | None:
        """The governorate of a p-code at any level; None for community codes ("C…").

        Raises ValueError for a value that is not an OCHA p-code.
        """
        code = validate_pcode(pcode)
        if code.startswith("C"):
            return None
        return self._by_pcode.get(code[:4])


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    return Gazetteer.load()
