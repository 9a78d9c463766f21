"""How one source writes down the people it captured: one standard-record row per capture.

Every random choice is drawn for the whole list at once with numpy; strings are picked from
precomputed tables by indexing, so a list of a million rows renders in seconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from marsad.domain.records import STANDARD_COLUMNS
from marsad.synth.lists import ListProfile
from marsad.synth.people import CAUSES, KILLED, MALE, Population
from marsad.synth.places_data import DISTRICTS, LOCALITIES, governorates
from marsad.synth.settings import Settings
from marsad.synth.shapes import NAME_PARTS, PALETTE_SHAPE, TABLE_CONVENTIONS, TRANSLITERATIONS, Mix
from marsad.synth.shaping import Shaping, pick, shape_columns
from marsad.synth.spelling import NameTable, typo
from marsad.synth.translit import CONVENTIONS, transliterate

Strings = npt.NDArray[np.object_]
Mask = npt.NDArray[np.bool_]

_SEX_LABELS = {
    "en": ("male", "female"),
    "short": ("m", "f"),
    "ar": ("ذكر", "أنثى"),
    "fr": ("H", "F"),
}
_NOTES_EN = (
    "body found",
    "reported by a relative",
    "burial witnessed",
    "body not recovered",
    "identified from photographs",
    "killed at home",
)
_NOTES_AR = (
    "تم العثور على الجثة",
    "بلاغ من أحد الأقارب",
    "دفن بحضور شهود",
    "الجثة لم تسلم",
    "تعرف عليه ذووه من الصور",
    "قتل في منزله",
)
_AGES = np.arange(121)
_AGE_EXACT = np.array([str(a) for a in _AGES], dtype=object)
_AGE_RANGE = np.array([f"{a // 10 * 10}-{a // 10 * 10 + 10}" for a in _AGES], dtype=object)
_AGE_CLASS = np.array(["child" if a < 18 else "adult" for a in _AGES], dtype=object)


def _table(rows: list[tuple[str, ...]]) -> tuple[Strings, npt.NDArray[np.int64]]:
    width = max(len(r) for r in rows)
    out = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        out[i, :] = list(r) + [r[0]] * (width - len(r))
    return out, np.array([len(r) for r in rows], dtype=np.int64)


class _Draw:
    """The list's random stream, plus helpers that keep the rendering code short."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.n = n

    def chance(self, p: float, n: int | None = None) -> Mask:
        return np.asarray(self.rng.random(self.n if n is None else n) < min(1.0, p))

    def variant(self, count: npt.NDArray[np.int64], skew: float = 1.0) -> npt.NDArray[np.int64]:
        u = self.rng.random(len(count))
        return np.minimum((count * u**skew).astype(np.int64), count - 1)

    def pick(self, mix: Mix, choices: tuple[str, ...]) -> npt.NDArray[np.int64]:
        return pick(self.rng, mix, choices, self.n)


class _Style:
    """The Latin spelling convention of each row: an index into TRANSLITERATIONS."""

    def __init__(self, draw: _Draw, code: npt.NDArray[np.int64]) -> None:
        self.draw = draw
        self.code = code

    def subset(self, which: Mask) -> _Style:
        return _Style(self.draw, self.code[which])

    def table_variant(
        self, table: NameTable, ids: npt.NDArray[np.int64], own: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Which hand-table spelling: the English end, the French end, any, or the list's own."""
        count = table.latin_count[ids]
        front = self.draw.variant(count, 3.0)
        anywhere = self.draw.variant(count)
        english, french, any_ = (self.code == k for k in range(len(TABLE_CONVENTIONS)))
        return np.select([english, french, any_], [front, count - 1 - front, anywhere], own)

    def rule_spellings(
        self,
        table: NameTable,
        ids: npt.NDArray[np.int64],
        arabic_variant: npt.NDArray[np.int64],
        bare: Mask,
        table_form: Strings,
    ) -> Strings:
        """Rows of a rule convention get the Arabic spelling they saw, transliterated."""
        out = np.asarray(table_form, dtype=object).copy()
        for k, convention in enumerate(CONVENTIONS, start=len(TABLE_CONVENTIONS)):
            rows = self.code == k
            if not rows.any():
                continue
            spelled = [
                _rule_table(source, convention) for source in (table.arabic, table.arabic_bare)
            ]
            at = ids[rows], arabic_variant[rows]
            out[rows] = np.where(bare[rows], spelled[1][at], spelled[0][at])
        return out


def _rule_table(arabic: Strings, convention: str) -> Strings:
    """A name table's Arabic spellings, each transliterated by the convention's rules."""
    flat = [transliterate(a, convention) for a in arabic.ravel().tolist()]
    return np.array(flat, dtype=object).reshape(arabic.shape)


def _names(
    draw: _Draw,
    table: NameTable,
    ids: npt.NDArray[np.int64],
    latin: Mask,
    profile: ListProfile,
    variation: float,
    article: bool,
    style: _Style | None = None,
) -> Strings:
    """One spelling per row of the names `ids`: Arabic variants or a Latin transliteration."""
    n = len(ids)
    ar_other = 1 + draw.variant(np.maximum(table.arabic_count[ids] - 1, 1))
    ar_var = np.where(draw.chance(profile.arabic_variant_rate * variation, n), ar_other, 0)
    ar_var = np.minimum(ar_var, table.arabic_count[ids] - 1)
    lat_var = draw.variant(table.latin_count[ids], profile.latin_skew)
    if profile.french:
        lat_var = table.latin_count[ids] - 1 - lat_var
    bare = draw.chance(profile.article_drop * variation, n) if article else np.zeros(n, bool)
    arabic = np.where(bare, table.arabic_bare[ids, ar_var], table.arabic[ids, ar_var])
    if style is not None:
        lat_var = style.table_variant(table, ids, lat_var)
    latin_form = np.where(bare, table.latin_bare[ids, lat_var], table.latin[ids, lat_var])
    if style is not None:
        latin_form = style.rule_spellings(table, ids, ar_var, bare, latin_form)
    return np.asarray(np.where(latin, latin_form, arabic), dtype=object)


def _first_names(
    draw: _Draw,
    population: Population,
    rows: npt.NDArray[np.int64],
    latin: Mask,
    p: ListProfile,
    variation: float,
    style: _Style | None,
) -> Strings:
    out = np.empty(len(rows), dtype=object)
    male = population.sex[rows] == MALE
    ids = population.first[rows].astype(np.int64)
    tables = population.names
    for table, which in ((tables.male, male), (tables.female, ~male)):
        part = style.subset(which) if style is not None else None
        out[which] = _names(draw, table, ids[which], latin[which], p, variation, False, part)
    return out


def _join(parts: list[Strings]) -> list[str]:
    return [" ".join(p for p in row if p) for row in zip(*parts, strict=True)]


def _record_ids(draw: _Draw, profile: ListProfile) -> list[str]:
    """Ids in the source's own style: sequential with gaps (deleted entries), or uuid-like."""
    n = draw.n
    if profile.id_uuid:
        hexes = draw.rng.integers(0, 256, size=(n, 16), dtype=np.uint8).tobytes().hex()
        ids = [hexes[32 * i : 32 * i + 32] for i in range(n)]
        return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}" for h in ids]
    gaps = np.where(draw.chance(0.05), draw.rng.integers(1, 20, n), 0)
    numbers = np.cumsum(1 + gaps)
    return [f"{profile.id_prefix}{k:0{profile.id_width}d}" for k in numbers.tolist()]


def _dates(
    draw: _Draw, population: Population, rows: npt.NDArray[np.int64], p: ListProfile, s: Settings
) -> list[str]:
    n = len(rows)
    shift = draw.rng.integers(1, 4, n) * np.where(draw.chance(0.5), 1, -1)
    day = population.day[rows] + np.where(draw.chance(p.date_shift * s.date_shifts), shift, 0)
    full = np.datetime_as_string(
        np.datetime64(population.start.isoformat(), "D") + day.astype("timedelta64[D]"), unit="D"
    )
    r = draw.rng.random(n)
    missing = p.date_missing * s.missing_fields
    year = missing + p.year_only * s.partial_dates
    month = year + p.month_only * s.partial_dates
    out = np.where(r < month, full.astype("U7"), full)
    out = np.where(r < year, full.astype("U4"), out)
    out = np.where(r < missing, "", out)
    return [str(x) for x in out.tolist()]


def _places(
    draw: _Draw,
    population: Population,
    rows: npt.NDArray[np.int64],
    latin: Mask,
    p: ListProfile,
    s: Settings,
) -> dict[str, Strings]:
    """Governorate, district, locality and p-code at the level this list records places."""
    n = len(rows)
    govs = governorates()
    gov_lat, gov_lat_n = _table([g.latin_spellings for g in govs])
    gov_ar, gov_ar_n = _table([g.arabic_spellings for g in govs])
    gov_code = np.array([g.pcode for g in govs], dtype=object)
    dis_lat, dis_lat_n = _table([d.name_latin for d in DISTRICTS])
    dis_ar = np.array([d.name_ar for d in DISTRICTS], dtype=object)
    dis_code = np.array([d.pcode for d in DISTRICTS], dtype=object)
    loc_lat = np.array([loc.name_latin for loc in LOCALITIES], dtype=object)
    loc_ar = np.array([loc.name_ar for loc in LOCALITIES], dtype=object)

    g = population.governorate[rows].astype(np.int64)
    d = population.district[rows].astype(np.int64)
    loc = population.locality[rows].astype(np.int64)
    odd = draw.chance(0.2 * s.name_variation)
    gv_lat = np.where(odd, draw.variant(gov_lat_n[g]), 0)
    gv_ar = np.where(odd, draw.variant(gov_ar_n[g]), 0)
    governorate = np.where(latin, gov_lat[g, gv_lat], gov_ar[g, gv_ar])
    show_gov = ~draw.chance(p.governorate_missing * s.missing_fields)

    r = draw.rng.random(n)
    at_locality = r < p.locality_rate
    at_district = (r < p.locality_rate + p.district_rate) & ~at_locality
    coastal = d >= 0
    show_district = coastal & (at_district | (at_locality & draw.chance(0.5)))
    dc = np.maximum(d, 0)
    district = np.where(latin, dis_lat[dc, draw.variant(dis_lat_n[dc])], dis_ar[dc])
    locality = np.where(latin, loc_lat[loc], loc_ar[loc])
    with_code = draw.chance(p.pcode_rate)
    pcode = np.where(show_district, dis_code[dc], np.where(show_gov, gov_code[g], ""))
    return {
        "governorate": np.where(show_gov, governorate, ""),
        "district": np.where(show_district, district, ""),
        "locality": np.where(at_locality, locality, ""),
        "pcode": np.where(with_code, pcode, ""),
    }


def render(
    rng: np.random.Generator,
    profile: ListProfile,
    population: Population,
    rows: npt.NDArray[np.int64],
    settings: Settings,
    shaping: Shaping | None = None,
) -> dict[str, list[str]]:
    """The columns for `rows` (person index of each row, in file order).

    Without `shaping`, every standard column as the profile writes it; with it, the shape's
    columns, its own draws coming from the shaping's stream so the rest stays as it was.
    """
    n = len(rows)
    draw = _Draw(rng, n)
    p, s = profile, settings
    var = s.name_variation
    tables = population.names
    latin = draw.chance(p.latin_share)
    shape = shaping.shape if shaping is not None else PALETTE_SHAPE
    extra = _Draw(shaping.rng, n) if shaping is not None else draw
    style = None
    if shape.transliteration is not None:
        style = _Style(extra, extra.pick(shape.transliteration, TRANSLITERATIONS))

    first = _first_names(draw, population, rows, latin, p, var, style)

    def spell(table: NameTable, ids: npt.NDArray[np.int16], article: bool = False) -> Strings:
        return _names(draw, table, ids[rows].astype(np.int64), latin, p, var, article, style)

    father = spell(tables.male, population.father)
    grandfather = spell(tables.male, population.grandfather)
    family = spell(tables.family, population.family, article=True)
    mother = spell(tables.female, population.mother)
    written = (father.copy(), grandfather.copy(), family.copy())
    father[draw.chance(p.father_drop * var)] = ""
    grandfather[draw.chance((1 - p.grandfather_rate) * var)] = ""
    family[draw.chance(p.family_drop * var)] = ""
    great = None
    if shape.name_parts is not None:
        count = extra.pick(shape.name_parts, NAME_PARTS) + 2
        father = np.where(count >= 3, written[0], "").astype(object)
        grandfather = np.where(count >= 4, written[1], "").astype(object)
        family = written[2]
        if shaping is not None and (count == 5).any():
            ids = shaping.great_grandfather[rows].astype(np.int64)
            great = _names(extra, tables.male, ids, latin, p, var, False, style)
            great = np.where(count == 5, great, "").astype(object)

    parts = [first, father, grandfather, family]
    typo_rows = np.flatnonzero(draw.chance(p.typo_rate * s.typos))
    which = draw.rng.choice(np.array([0, 1, 3]), size=len(typo_rows), p=[0.4, 0.2, 0.4])
    edits = draw.rng.random((len(typo_rows), 7))
    for k, row in enumerate(typo_rows.tolist()):
        part = parts[int(which[k])] if parts[int(which[k])][row] else first
        part[row] = typo(part[row], edits[k].tolist(), bool(latin[row]))

    full = parts if great is None else [first, father, grandfather, great, family]
    name = _join(full)
    for row in np.flatnonzero(draw.chance(p.swap_rate * var)).tolist():
        swapped = (full[-1][row], *(part[row] for part in full[:-1]))
        name[row] = " ".join(x for x in swapped if x)
    with_parts = draw.chance(p.parts_rate)
    empty = np.full(n, "", dtype=object)

    sex = population.sex[rows].astype(np.int64) ^ draw.chance(p.sex_error * s.errors)
    sex_labels = np.array(_SEX_LABELS[p.sex_style], dtype=object)[sex]
    age = population.age[rows].astype(np.int64)
    wrong = draw.rng.integers(1, 6, n) * np.where(draw.chance(0.5), 1, -1)
    age = np.clip(age + np.where(draw.chance(p.age_error * s.errors), wrong, 0), 0, 120)
    r = draw.rng.random(n)
    age_text = np.where(
        r < p.age_exact,
        _AGE_EXACT[age],
        np.where(r < p.age_exact + p.age_range, _AGE_RANGE[age], _AGE_CLASS[age]),
    )

    status = np.where(population.status[rows] == KILLED, "killed", "missing").astype(object)
    status[(population.status[rows] == KILLED) & draw.chance(p.status_confusion)] = "missing"
    civilian = np.where(population.civilian[rows], "true", "false").astype(object)
    cause_en = np.array([c[0] for c in CAUSES], dtype=object)
    cause_ar = np.array([c[1] for c in CAUSES], dtype=object)
    cause_id = population.cause[rows].astype(np.int64)
    cause = np.where(latin, cause_en[cause_id], cause_ar[cause_id])
    incident = population.incident[rows]
    abbrev = "".join(word[0] for word in p.slug.split("-")).upper()
    incident_text = np.array(
        [f"{abbrev}-INC-{k + 1:04d}" if k >= 0 else "" for k in incident.tolist()], dtype=object
    )
    note_id = draw.rng.integers(0, len(_NOTES_EN), n)
    notes_en, notes_ar = np.array(_NOTES_EN, dtype=object), np.array(_NOTES_AR, dtype=object)
    notes = np.where(latin, notes_en[note_id], notes_ar[note_id])
    missing = s.missing_fields

    columns: dict[str, Strings | list[str]] = {
        "record_id": _record_ids(draw, p),
        "name": name,
        "name_first": np.where(with_parts, first, empty),
        "name_father": np.where(with_parts, father, empty),
        "name_grandfather": np.where(with_parts, grandfather, empty),
        "name_family": np.where(with_parts, family, empty),
        "name_mother": np.where(draw.chance(p.mother_rate), mother, empty),
        "sex": np.where(draw.chance(p.sex_missing * missing), empty, sex_labels),
        "age": np.where(draw.chance(p.age_missing * missing), empty, age_text),
        "date_of_death": _dates(draw, population, rows, p, s),
        **_places(draw, population, rows, latin, p, s),
        "subdistrict": empty,
        "status": status,
        "civilian": np.where(draw.chance(1 - (1 - p.civilian_rate) * missing), civilian, empty),
        "cause": np.where(draw.chance(1 - (1 - p.cause_rate) * missing), cause, empty),
        "incident_id": np.where(draw.chance(p.incident_rate), incident_text, empty),
        "notes": np.where(draw.chance(p.notes_rate), notes, empty),
    }
    if shaping is None:
        return {c: _as_list(columns[c]) for c in STANDARD_COLUMNS}
    return shape_columns(columns, shape, extra.rng, rows, latin, age)


def _as_list(values: Strings | list[str]) -> list[str]:
    return values if isinstance(values, list) else list(values.tolist())
