"""Tests of ``leadscoring assess --engine frame``: the same call list as the objects engine."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

pytest.importorskip("pandas")
pytest.importorskip("narwhals")

from leadscoring.cli.main import main
from leadscoring.examples import sample_dataset


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """120 sample leads and their events as CSV files, and the sample's as_of."""
    data = sample_dataset(seed=4, n_leads=120)
    folder = tmp_path_factory.mktemp("frame-cli")
    leads, events = folder / "leads.csv", folder / "events.csv"
    attributes = sorted({k for x in data.leads for k in x.attributes})
    with leads.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "status", "status_changed_at", *attributes])
        for x in data.leads:
            changed = x.status_changed_at.isoformat() if x.status_changed_at else ""
            writer.writerow([x.id, x.status.value, changed,
                             *(x.attributes.get(a, "") for a in attributes)])  # fmt: skip
    names = sorted({k for e in data.events for k in e.properties})
    with events.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["lead_id", "type", "at", "id", *names])
        for e in data.events:
            writer.writerow([e.lead_id, e.type, e.at.isoformat(), e.id,
                             *(e.properties.get(n, "") for n in names)])  # fmt: skip
    return leads, events, data.as_of.isoformat()


def _assess(files: tuple[Path, Path, str], engine: str, fmt: str,
            capsys: pytest.CaptureFixture[str]) -> str:  # fmt: skip
    leads, events, as_of = files
    status = main(["assess", "--model", "b2b-default", "--leads", str(leads), "--events",
                   str(events), "--as-of", as_of, "--format", fmt, "--engine", engine])  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def test_json_output_is_the_objects_engines(
    files: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Same leads in the same order with the same labels; numbers within 1e-9."""
    objects = json.loads(_assess(files, "objects", "json", capsys))
    frame = json.loads(_assess(files, "frame", "json", capsys))
    assert frame["count"] == objects["count"] == 120
    for mine, want in zip(frame["assessments"], objects["assessments"], strict=True):
        assert mine.keys() == want.keys()
        for key, value in want.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=1e-9, abs=1e-9)
            elif key == "reasons":
                assert [r for r, _ in mine[key]] == [r for r, _ in value]
                assert [p for _, p in mine[key]] == pytest.approx([p for _, p in value])
            elif key == "evidence":
                assert mine[key] == pytest.approx(value)
            else:
                assert mine[key] == value, key


def test_table_output_is_the_objects_engines(
    files: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The printed call list is the same, line for line."""
    assert _assess(files, "frame", "table", capsys) == _assess(files, "objects", "table", capsys)
