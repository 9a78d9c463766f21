"""Where the synthetic dead were killed: governorates, the coastal districts, and localities.

Only the ten coastal district p-codes below are real codes; every other place is a governorate,
or a locality name given as free text without a code, as lists from the field usually give it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Governorate:
    pcode: str
    name_en: str
    name_ar: str
    latin_spellings: tuple[str, ...]
    arabic_spellings: tuple[str, ...]


@dataclass(frozen=True)
class District:
    pcode: str
    name_ar: str
    name_latin: tuple[str, ...]


@dataclass(frozen=True)
class Locality:
    governorate: str
    district: str
    name_ar: str
    name_latin: str


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@cache
def governorates() -> tuple[Governorate, ...]:
    """The 14 governorates with their spellings, read from the packaged reference table."""
    text = resources.files("marsad").joinpath("reference/syria_admin1.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    out = []
    for row in rows:
        others = [s for s in row["other_spellings"].split("|") if s]
        out.append(
            Governorate(
                pcode=row["pcode"],
                name_en=row["name_en"],
                name_ar=row["name_ar"],
                latin_spellings=(row["name_en"], *(s for s in others if not _is_arabic(s))),
                arabic_spellings=(row["name_ar"], *(s for s in others if _is_arabic(s))),
            )
        )
    return tuple(out)


GOVERNORATE_WEIGHTS: dict[str, float] = {
    "SY06": 0.34,
    "SY10": 0.24,
    "SY05": 0.14,
    "SY04": 0.13,
    "SY13": 0.04,
    "SY03": 0.03,
    "SY01": 0.02,
    "SY07": 0.012,
    "SY02": 0.012,
    "SY12": 0.01,
    "SY09": 0.008,
    "SY08": 0.005,
    "SY11": 0.005,
    "SY14": 0.004,
}
"""Share of deaths per governorate: most on the coast (Lattakia, Tartous), then Hama and Homs."""

DISTRICTS: tuple[District, ...] = (
    District("SY0600", "اللاذقية", ("Lattakia", "Latakia")),
    District("SY0602", "جبلة", ("Jablah", "Jableh", "Jebleh")),
    District("SY0603", "الحفة", ("Al-Haffa", "Haffeh", "Al Haffah")),
    District("SY0604", "القرداحة", ("Al-Qardaha", "Qardaha", "Kardaha")),
    District("SY1000", "طرطوس", ("Tartous", "Tartus")),
    District("SY1002", "بانياس", ("Banyas", "Baniyas", "Banias")),
    District("SY1003", "صافيتا", ("Safita", "Safitah")),
    District("SY1004", "الدريكيش", ("Dreikish", "Duraykish")),
    District("SY1005", "الشيخ بدر", ("Sheikh Badr", "Al-Shaykh Badr")),
    District("SY1006", "القدموس", ("Qadmous", "Al-Qadmus")),
)

_LOCALITIES: tuple[tuple[str, str, str, str], ...] = (
    ("SY06", "SY0602", "جبلة", "Jableh city"),
    ("SY06", "SY0602", "بيت عانا", "Beit Ana"),
    ("SY06", "SY0602", "الدالية", "Al-Daliyah"),
    ("SY06", "SY0602", "حميميم", "Hmeimim"),
    ("SY06", "SY0602", "الشراشير", "Al-Sharashir"),
    ("SY06", "SY0602", "بستان الباشا", "Bustan al-Basha"),
    ("SY06", "SY0602", "عين شقاق", "Ain Shiqaq"),
    ("SY06", "SY0602", "الصنوبر", "Al-Sanobar"),
    ("SY06", "SY0600", "الرمل الشمالي", "Al-Raml al-Shamali"),
    ("SY06", "SY0600", "الدعتور", "Al-Daatour"),
    ("SY06", "SY0600", "بسنادا", "Bisnada"),
    ("SY06", "SY0600", "سقوبين", "Squbin"),
    ("SY06", "SY0600", "المختارية", "Al-Mukhtariyah"),
    ("SY06", "SY0603", "الحفة", "Al-Haffa town"),
    ("SY06", "SY0603", "صلنفة", "Slanfeh"),
    ("SY06", "SY0603", "المزيرعة", "Al-Muzayraa"),
    ("SY06", "SY0604", "القرداحة", "Qardaha town"),
    ("SY06", "SY0604", "حمام القراحلة", "Hammam al-Qarahila"),
    ("SY06", "SY0604", "بكراما", "Bkrama"),
    ("SY10", "SY1002", "بانياس", "Banyas city"),
    ("SY10", "SY1002", "حي القصور", "Al-Qusour"),
    ("SY10", "SY1002", "البيضا", "Al-Bayda"),
    ("SY10", "SY1002", "المرقب", "Al-Marqab"),
    ("SY10", "SY1002", "حريصون", "Harisoun"),
    ("SY10", "SY1002", "بارمايا", "Baramaya"),
    ("SY10", "SY1002", "القرير", "Al-Qurayr"),
    ("SY10", "SY1000", "طرطوس", "Tartous city"),
    ("SY10", "SY1000", "الحميدية", "Al-Hamidiyah"),
    ("SY10", "SY1000", "الشيخ سعد", "Sheikh Saad"),
    ("SY10", "SY1003", "صافيتا", "Safita town"),
    ("SY10", "SY1003", "مشتى الحلو", "Mashta al-Helu"),
    ("SY10", "SY1004", "الدريكيش", "Dreikish town"),
    ("SY10", "SY1004", "جنينة رسلان", "Jneinet Raslan"),
    ("SY10", "SY1005", "الشيخ بدر", "Sheikh Badr town"),
    ("SY10", "SY1005", "بريصين", "Breisin"),
    ("SY10", "SY1006", "القدموس", "Qadmous town"),
    ("SY10", "SY1006", "الطواحين", "Al-Tawahin"),
    ("SY05", "", "مصياف", "Masyaf"),
    ("SY05", "", "عين الكروم", "Ain al-Kroum"),
    ("SY05", "", "السقيلبية", "Suqaylabiyah"),
    ("SY05", "", "سلحب", "Salhab"),
    ("SY05", "", "الربيعة", "Al-Rabia"),
    ("SY05", "", "تل سكين", "Tal Sikin"),
    ("SY05", "", "أرزة", "Arzeh"),
    ("SY05", "", "حي الأربعين", "Hay al-Arbaeen"),
    ("SY05", "", "جرجيسة", "Jarjisa"),
    ("SY04", "", "حي الزهراء", "Al-Zahraa"),
    ("SY04", "", "حي عكرمة", "Akrama"),
    ("SY04", "", "حي النزهة", "Al-Nuzha"),
    ("SY04", "", "تلكلخ", "Tall Kalakh"),
    ("SY04", "", "فاحل", "Fahel"),
    ("SY04", "", "مريمين", "Maryamin"),
    ("SY04", "", "الغور الغربية", "Al-Ghour al-Gharbiyah"),
    ("SY13", "", "الثعلة", "Al-Thaala"),
    ("SY13", "", "المزرعة", "Al-Mazraa"),
    ("SY13", "", "ولغا", "Walgha"),
    ("SY03", "", "صحنايا", "Sahnaya"),
    ("SY03", "", "جرمانا", "Jaramana"),
    ("SY03", "", "عش الورور", "Ish al-Warwar"),
    ("SY01", "", "المزة 86", "Mezzeh 86"),
    ("SY01", "", "السومرية", "Al-Soumariyeh"),
    ("SY07", "", "جسر الشغور", "Jisr al-Shughur"),
    ("SY02", "", "السفيرة", "Al-Safira"),
    ("SY12", "", "بصرى الشام", "Busra al-Sham"),
    ("SY09", "", "الميادين", "Al-Mayadin"),
    ("SY08", "", "القامشلي", "Qamishli"),
    ("SY11", "", "الطبقة", "Al-Tabqa"),
    ("SY14", "", "خان أرنبة", "Khan Arnabah"),
)

LOCALITIES: tuple[Locality, ...] = tuple(Locality(*row) for row in _LOCALITIES)
"""Villages and neighbourhoods; those on the coast carry their district p-code."""
