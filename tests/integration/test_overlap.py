"""Encoded linkage between organisations, end to end: parties encode their lists with a shared
secret, a linkage unit without it links the encoded files, and the estimate reads the
histories. Nothing of a name may leave a party; each party learns only of its own rows."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.linkage.features import consonants
from marsad.names.keys import name_key
from marsad.overlap.encoding import EncodedList
from marsad.overlap.schema import load_schema
from marsad.services.audit import recent_events
from marsad.services.demo import read_truth, scenario_lists
from marsad.services.ingest import ingest_file
from marsad.services.overlap import (
    OverlapSummary,
    encode_file,
    encode_source,
    link_files,
    make_secret,
    read_encoded,
)
from marsad.store.models import AuditEvent
from marsad.synth import generate, write_scenario

runner = CliRunner()
NAME_COLUMNS = ("name", "name_first", "name_father", "name_grandfather", "name_family")
HEX = re.compile(r"[0-9a-f]*")
DATA_CELL = {
    "row_id": re.compile(r"[0-9a-f]{16}"),
    "parts": re.compile(r"[01]{5}"),
    "identifiable": re.compile(r"[01]"),
    "of_status": re.compile(r"[01]"),
    "names": re.compile(r"[0-9a-f]{256}"),
    "blocks": re.compile(r"(-|[0-9a-f]{1,5})( (-|[0-9a-f]{1,5})){5}"),
}


@dataclass(frozen=True)
class Overlap:
    lists: Path
    folder: Path
    secret: Path
    encoded: dict[str, Path]
    maps: dict[str, Path]
    summary: OverlapSummary


@pytest.fixture(scope="module")
def overlap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Overlap]:
    """A 1,500-person scenario of 4 lists, each encoded by its party and linked."""
    root = tmp_path_factory.mktemp("overlap")
    lists = root / "lists"
    write_scenario(generate(seed=21, people=1500, lists=4), lists)
    folder = root / "encoded"
    folder.mkdir()
    secret = root / "secret.key"
    make_secret(secret)
    encoded, maps = {}, {}
    for item in scenario_lists(lists):
        source = item["source"]
        encoded[source] = folder / f"{item['file']}"
        maps[source] = root / f"{item['file']}.map.csv"
        encode_file(
            lists / item["file"], secret, encoded[source], label=source, map_out=maps[source]
        )
    copies = {i["source"]: i["copies"] for i in scenario_lists(lists) if i.get("copies")}
    assert copies
    summary = link_files(
        list(encoded.values()),
        folder / "histories.csv",
        pairs_out=folder / "units",
        copies=copies,
    )
    yield Overlap(lists, folder, secret, encoded, maps, summary)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def name_texts(lists: Path) -> set[str]:
    """Every name, name part and name key (and its consonant skeleton) of the lists."""
    out: set[str] = set()
    for item in scenario_lists(lists):
        with (lists / item["file"]).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column in NAME_COLUMNS:
                    value = (row.get(column) or "").strip()
                    if not value:
                        continue
                    out.add(value)
                    for word in value.split():
                        key = name_key(word)
                        out.update({word, key, consonants(key) or ""})
    return {t.casefold() for t in out if len(t) >= 3}


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_no_name_part_or_key_reaches_an_encoded_file(overlap: Overlap) -> None:
    names = name_texts(overlap.lists)
    assert len(names) > 500
    encoded_files = list(overlap.encoded.values())
    for path in encoded_files:
        preamble, header, *rows = csv_cells(path)
        assert len(rows) > 100
        # Every data cell is hexadecimal or a flag of a fixed shape: no room for a name.
        for row in rows:
            for column, cell in zip(header, row, strict=True):
                pattern = DATA_CELL.get(column, HEX)
                assert pattern.fullmatch(cell), (path.name, column, cell)
        # The rest (format, schema, list label, column names) holds no name, part or key.
        words = {w.casefold() for cell in preamble + header for w in re.split(r"[=_\s]", cell)}
        assert not words & names, (path.name, words & names)
    units = sorted((overlap.folder / "units").iterdir())
    histories = overlap.folder / "histories.csv"
    for path in [*encoded_files, *units, histories]:
        lines = path.read_text(encoding="utf-8").casefold().splitlines()
        skip = 2 if path in encoded_files else 1
        data = "\n".join(lines[skip:])
        # No Arabic script, and no name or key with a letter that no hex digit has.
        assert not re.search(r"[\u0600-\u06ff]", data), path.name
        leaks = {n for n in names if re.search(r"[g-z]", n) and n in data}
        assert not leaks, (path.name, sorted(leaks)[:5])
    provenance = json.loads((overlap.folder / "histories.overlap.json").read_text("utf-8"))
    words = {w.casefold() for w in re.split(r"[^\w]+", json.dumps(provenance))}
    assert not words & names, words & names


def true_histories(overlap: Overlap) -> dict[str, set[str]]:
    """Per true person of the status estimated, the lists holding an identifiable record of
    it: the histories a perfect linkage of the encoded lists would give."""
    truth = read_truth(overlap.lists / "truth.csv")
    schema = load_schema()
    lists_of: dict[str, set[str]] = {}
    counted: set[str] = set()
    for source, path in overlap.encoded.items():
        encoded = read_encoded(path, schema)
        record_of = dict(csv_cells(overlap.maps[source])[1:])
        for i, row_id in enumerate(encoded.row_ids):
            person = truth[(source, record_of[row_id])]
            lists_of.setdefault(person, set())
            if encoded.identifiable[i]:
                lists_of[person].add(source)
            if encoded.of_status[i]:
                counted.add(person)
    return {p: lists for p, lists in lists_of.items() if p in counted and lists}


def test_the_linkage_unit_finds_the_overlap_of_every_pair_of_lists(overlap: Overlap) -> None:
    truth = read_truth(overlap.lists / "truth.csv")
    lists_of = true_histories(overlap)
    for pair, found in overlap.summary.overlaps.items():
        first, second = pair.split(" & ")
        true = sum(1 for lists in lists_of.values() if {first, second} <= lists)
        assert true > 20
        assert abs(found - true) <= 0.2 * true, (pair, found, true)
    assert overlap.summary.pairs_compared < len(truth) ** 2 / 20
    # A list that copies another is folded into it in the histories, as `marsad estimate` does.
    histories = csv_cells(overlap.folder / "histories.csv")
    independent = [name for name in overlap.summary.lists if name not in overlap.summary.copies]
    assert histories[0] == [*independent, "count"]
    assert sum(int(row[-1]) for row in histories[1:]) == overlap.summary.histories.observed


def test_each_party_learns_only_its_own_rows(overlap: Overlap) -> None:
    schema = load_schema()
    truth = read_truth(overlap.lists / "truth.csv")
    units_of: dict[str, set[str]] = {}
    for source, path in overlap.encoded.items():
        own = read_encoded(path, schema).row_ids
        header, *rows = csv_cells(overlap.folder / "units" / f"{source}.units.csv")
        assert header == ["row_id", "unit_id", "shared"]
        assert [r[0] for r in rows] == own
        units_of[source] = {r[1] for r in rows}
        # The party reads its answer through its own map: shared or not, per record.
        record_of = dict(csv_cells(overlap.maps[source])[1:])
        lists_of: dict[str, set[str]] = {}
        for (list_name, _record), person in truth.items():
            lists_of.setdefault(person, set()).add(list_name)
        right = sum(
            (shared == "1") == (len(lists_of[truth[(source, record_of[row_id])]]) > 1)
            for row_id, _unit, shared in rows
        )
        # Below plaintext linkage's share (docs/benchmarks.md, "Encoded linkage"): 0.79 for
        # the media list, whose Latin names are far from the others' Arabic ones.
        assert right >= 0.75 * len(rows), (source, right, len(rows))
    # Unit ids mean nothing across parties: two parties cannot join their files on them.
    sources = list(units_of)
    for i, first in enumerate(sources):
        for second in sources[i + 1 :]:
            assert not units_of[first] & units_of[second]


def test_the_estimate_says_the_histories_came_from_an_encoded_linkage(overlap: Overlap) -> None:
    histories = overlap.folder / "histories.csv"
    result = json.loads(
        run("estimate", "--histories", str(histories), "--preset", "fast", "--json")
    )
    assert result["linkage"]["reason"] == "encoded"
    assert result["linkage"]["encoded"]["schema"] == "marsad-default/2"
    assert "encoded linkage" in result["linkage"]["note"]
    assert result["observed"] == overlap.summary.histories.observed
    assert "encoded lists, schema marsad-default/2" in run(
        "estimate", "--histories", str(histories), "--preset", "fast"
    )
    edited = overlap.folder / "edited.csv"
    width = len(csv_cells(histories)[0])
    added = ",".join(["1"] + ["0"] * (width - 2) + ["5"])
    edited.write_text(histories.read_text(encoding="utf-8") + added + "\n", encoding="utf-8")
    (overlap.folder / "edited.overlap.json").write_text(
        (overlap.folder / "histories.overlap.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert "describes another version of edited.csv" in fails(
        "estimate", "--histories", str(edited), "--preset", "fast"
    )


def test_the_commands_and_their_refusals(overlap: Overlap, tmp_path: Path) -> None:
    secret = tmp_path / "key"
    output = run("overlap", "secret", str(secret))
    assert "check value" in output and secret.stat().st_mode & 0o777 == 0o600
    assert "never overwritten" in fails("overlap", "secret", str(secret))
    item = scenario_lists(overlap.lists)[0]
    source_file = str(overlap.lists / item["file"])
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    output = run(
        "overlap",
        "encode",
        source_file,
        "--secret-file",
        str(secret),
        "--out",
        str(first),
        "--list",
        "A",
    )
    assert f"{item['records']:,} records of list A encoded" in " ".join(output.split())
    run(
        "overlap",
        "encode",
        source_file,
        "--secret-file",
        str(secret),
        "--out",
        str(second),
        "--list",
        "B",
    )
    histories = tmp_path / "h.csv"
    output = run("overlap", "link", str(first), str(second), "--out", str(histories))
    assert "records" in output and str(histories) in "".join(output.split())
    # One list encoded twice: every person is on both.
    header, *patterns = csv_cells(histories)
    assert header == ["A", "B", "count"]
    assert [row[:2] for row in patterns] == [["1", "1"]]
    summary = json.loads((tmp_path / "h.overlap.json").read_text(encoding="utf-8"))
    assert summary["lists"] == {"A": item["records"], "B": item["records"]}

    assert "give two different lists among A, B" in fails(
        "overlap", "link", str(first), str(second), "--out", "x.csv", "--copies", "A=C"
    )
    assert "write it LIST=ORIGINAL" in fails(
        "overlap", "link", str(first), str(second), "--out", "x.csv", "--copies", "A"
    )
    assert "same list label" in fails("overlap", "link", str(first), str(first), "--out", "x.csv")
    assert "not both" in fails(
        "overlap",
        "encode",
        source_file,
        "--source",
        "S",
        "--secret-file",
        str(secret),
        "--out",
        "x.csv",
    )
    shared = tmp_path / "shared.key"
    shared.write_text("x" * 40, encoding="utf-8")
    shared.chmod(0o644)
    assert "chmod 600" in fails(
        "overlap", "encode", source_file, "--secret-file", str(shared), "--out", "x.csv"
    )
    short = tmp_path / "short.key"
    short.write_text("tiny", encoding="utf-8")
    short.chmod(0o600)
    assert "at least 16" in fails(
        "overlap", "encode", source_file, "--secret-file", str(short), "--out", "x.csv"
    )

    lines = first.read_text(encoding="utf-8").splitlines()
    altered = tmp_path / "altered.csv"
    cells = lines[4].split(",")
    cells[4] = "zz" + cells[4][2:]
    altered.write_text("\n".join([*lines[:4], ",".join(cells), *lines[5:]]), encoding="utf-8")
    assert f"{altered}, line 5, column 'names'" in fails(
        "overlap", "link", str(altered), str(second), "--out", "x.csv"
    )
    other_schema = tmp_path / "schema.yaml"
    schema_text = (Path(__file__).parents[2] / "src/marsad/overlap/schema.yaml").read_text()
    other_schema.write_text(schema_text.replace("version: 2", "version: 3"), encoding="utf-8")
    assert "every party must encode with the same schema file" in fails(
        "overlap",
        "link",
        str(first),
        str(second),
        "--out",
        "x.csv",
        "--schema",
        str(other_schema),
    )
    assert not Path("x.csv").exists()


def test_a_source_in_the_store_encodes_as_its_file_does_and_the_read_is_audited(
    engine: Engine, overlap: Overlap, tmp_path: Path
) -> None:
    item = scenario_lists(overlap.lists)[1]
    ingest_file(engine, overlap.lists / item["file"], item["source"], kind=item["kind"])
    from_store = tmp_path / "store.csv"
    summary = encode_source(
        engine, item["source"], overlap.secret, from_store, label=item["source"], user="amira"
    )
    assert summary.records == item["records"]
    schema = load_schema()
    stored = read_encoded(from_store, schema)
    filed = read_encoded(overlap.encoded[item["source"]], schema)

    def content(encoded: EncodedList) -> list[tuple[bytes, bytes, bytes]]:
        return sorted(
            (encoded.names[i].tobytes(), encoded.coarse[i].tobytes(), encoded.blocks[i].tobytes())
            for i in range(len(encoded))
        )

    assert content(stored) == content(filed)
    with engine.connect() as conn:
        events = [e for e in recent_events(conn) if e["action"] == "overlap.encode"]
        assert [(e["actor"], e["target"]) for e in events] == [
            ("amira", f"source:{item['source']}")
        ]
        assert events[0]["detail"] == {"records": item["records"]}
        assert conn.scalar(select(AuditEvent.id).where(AuditEvent.action == "ingest"))
    with pytest.raises(ValueError, match="no source named 'Nobody'"):
        encode_source(engine, "Nobody", overlap.secret, tmp_path / "none.csv")
