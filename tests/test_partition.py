"""Tests of ``partition_of``: the stable partition of a lead id (CRC-32 of its UTF-8 bytes
modulo ``n``), and a keyed consumer group of Scorers, one per partition, that answers as
one Scorer does.

Golden values are worked out by hand in the comments from published CRC-32 check values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leadscoring import (
    Event,
    Identity,
    IdentityMap,
    InvalidValueError,
    Lead,
    Scorer,
    ScoringModel,
)
from leadscoring.core.partition import partition_of
from leadscoring.scoring.scorer_links import id_readers
from strategies import T0, event_conditions, event_lists, lead_conditions, leads, models
from test_scorer import assert_same

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- golden values

# CRC-32 (ISO-HDLC, zlib's) check values published with the algorithm:
#   b"123456789"                                   -> 0xCBF43926 = 3421780262
#       (0xCB * 2**24 + 0xF4 * 2**16 + 0x39 * 2**8 + 0x26
#        = 3405774848 + 15990784 + 14592 + 38 = 3421780262)
#   b"The quick brown fox jumps over the lazy dog" -> 0x414FA339 = 1095738169
#       (1090519040 + 5177344 + 41728 + 57)
#   b"a"                                           -> 0xE8B7BE43 = 3904355907
#       (3892314112 + 11993088 + 48640 + 67)
#   b""                                            -> 0
# and "ü" is the UTF-8 bytes C3 BC: zlib.crc32(b"\xc3\xbc") = 0x63D969D5 = 1675192789
# (Latin-1's single byte FC would give another value: the id is hashed as UTF-8).
# Modulo n: the last digit (n = 10), the last three (n = 1000), the last two modulo 4
# (n = 4: 100 is a multiple of 4); for n = 7, 3421780262 = 7 * 488825751 + 5 and
# 1095738169 = 7 * 156534024 + 1.
FOX = "The quick brown fox jumps over the lazy dog"
GOLDEN = [
    ("123456789", 10, 2),
    ("123456789", 1000, 262),
    ("123456789", 4, 2),  # 62 % 4
    ("123456789", 7, 5),
    (FOX, 10, 9),
    (FOX, 1000, 169),
    (FOX, 4, 1),  # 69 % 4
    (FOX, 7, 1),
    ("a", 10, 7),
    ("a", 4, 3),  # 07 % 4
    ("a", 1000, 907),
    ("", 10, 0),
    ("ü", 10, 9),
    ("ü", 1000, 789),
    ("123456789", 1, 0),
]


@pytest.mark.parametrize(("lead_id", "n", "expected"), GOLDEN)
def test_golden_values(lead_id: str, n: int, expected: int) -> None:
    """partition_of is the CRC-32 of the UTF-8 bytes modulo n (values worked out above)."""
    assert partition_of(lead_id, n) == expected


def test_utf8_not_latin1() -> None:
    """The id "ü" is hashed as its two UTF-8 bytes, not as one Latin-1 byte (0xFC)."""
    import zlib

    assert partition_of("ü", 2**31) == zlib.crc32(b"\xc3\xbc") % 2**31 == 1675192789
    assert zlib.crc32(b"\xfc") != zlib.crc32(b"\xc3\xbc")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.integers(1, 10_000))
def test_range(lead_id: str, n: int) -> None:
    """Always an int in [0, n); doubling n splits a partition p into p and p + n (what
    the docs' recipe for growing a consumer group relies on)."""
    found = partition_of(lead_id, n)
    assert type(found) is int
    assert 0 <= found < n
    assert partition_of(lead_id, 2 * n) in (found, found + n)
    assert partition_of(lead_id, 1) == 0


def test_lone_surrogate_has_a_partition() -> None:
    """A str that is no valid text (a lone surrogate) still has a stable partition."""
    assert 0 <= partition_of("cookie-\ud800", 8) < 8
    assert partition_of("cookie-\ud800", 8) == partition_of("cookie-\ud800", 8)


IDS = ["L0001", "ann@example.com", "cookie-7", "ü-lead", "山田", "😀", "", "a b", FOX]


def _in_subprocess(seed: str) -> tuple[list[int], int]:
    """partition_of of IDS (n = 97) and hash("cookie-7") in a fresh interpreter whose
    PYTHONHASHSEED is ``seed``."""
    code = (
        "import json, sys\n"
        "from leadscoring.core.partition import partition_of\n"
        "ids = json.loads(sys.argv[1])\n"
        "print(json.dumps([[partition_of(i, 97) for i in ids], hash('cookie-7')]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(IDS)],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    found, hashed = json.loads(done.stdout)
    return found, hashed


def test_stable_across_processes() -> None:
    """Two interpreters with different hash seeds (where hash() of a str differs) give
    this process's partitions."""
    first, first_hash = _in_subprocess("1")
    second, second_hash = _in_subprocess("4242")
    assert first_hash != second_hash  # hash() would route the lead elsewhere
    here = [partition_of(i, 97) for i in IDS]
    assert first == second == here


@pytest.mark.parametrize("bad", [7, None, b"L1", ["L1"], Lead(id="L1")])
def test_lead_id_must_be_text(bad: object) -> None:
    """A lead id that is not a str raises InvalidValueError naming lead_id."""
    with pytest.raises(InvalidValueError, match=r"^lead_id: expected a str") as caught:
        partition_of(bad, 4)  # type: ignore[arg-type]
    assert caught.value.field == "lead_id"


@pytest.mark.parametrize("bad", [0, -1, True, False, 2.0, "4", None])
def test_n_must_be_a_positive_int(bad: object) -> None:
    """n below 1, a bool or not an int raises InvalidValueError naming n."""
    with pytest.raises(InvalidValueError, match=r"^n: must be a positive int") as caught:
        partition_of("L1", bad)  # type: ignore[arg-type]
    assert caught.value.field == "n"


# --------------------------------------------------------------------------- a consumer group

LEAD_IDS = ("L1", "L2", "L3", "L4", "L5", "ann@example.com", "cookie-7")
AS_OF = T0 + timedelta(days=200)  # after every generated event and link
scoring_models = models(when=event_conditions(), who=lead_conditions())


class Router:
    """The docs' router: events and links to the scorer of their lead's partition."""

    def __init__(self, scorers: list[Scorer]) -> None:
        self.scorers, self.links = scorers, IdentityMap()

    def scorer_of(self, lead_id: str) -> Scorer:
        return self.scorers[partition_of(self.links.lead_of(lead_id), len(self.scorers))]

    def link(self, identity: Identity) -> None:
        home, before = self.scorer_of(identity.lead_id), self.scorer_of(identity.alias)
        if before is not home and identity.alias in before:
            home.merge(before.snapshot(lead_ids=[identity.alias]))
            before.forget(identity.alias)
        home.link(identity.alias, identity.lead_id, identity.at)
        self.links = IdentityMap([*self.links, identity])


@st.composite
def links(draw: st.DrawFn) -> list[Identity]:
    """Up to three links among LEAD_IDS that form no cycle and claim no alias twice (each
    alias linked to a lead later in the list)."""
    out: list[Identity] = []
    order = draw(st.permutations(LEAD_IDS))
    for _ in range(draw(st.integers(0, 3))):
        at = T0 + timedelta(minutes=15 * draw(st.integers(0, 120 * 96)))
        a, b = sorted(draw(st.lists(st.integers(0, len(order) - 1), min_size=2, max_size=2,
                                    unique=True)))  # fmt: skip
        if order[a] in {i.alias for i in out}:
            continue
        out.append(Identity(alias=order[a], lead_id=order[b], at=at))
    return out


@settings(max_examples=60, deadline=None)
@given(
    scoring_models,
    event_lists(LEAD_IDS, max_size=30),
    st.lists(leads(st.sampled_from(LEAD_IDS)), max_size=4, unique_by=lambda x: x.id),
    st.integers(1, 5),
    st.integers(0, 30),
)
def test_partitions_score_as_one_scorer(
    model: ScoringModel, events: list[Event], records: list[Lead], n: int, cut: int
) -> None:
    """Events routed to n Scorers by partition_of(lead_id, n), in two batches (one
    event at a time, then add_many), give each lead the score one Scorer gives it."""
    one = Scorer(model)
    scorers = [Scorer(model) for _ in range(n)]
    for lead in records:
        one.add_lead(lead)
        scorers[partition_of(lead.id, n)].add_lead(lead)
    one.add_many(events)
    for event in events[:cut]:
        scorers[partition_of(event.lead_id, n)].add(event)
    batches: dict[int, list[Event]] = {}
    for event in events[cut:]:
        batches.setdefault(partition_of(event.lead_id, n), []).append(event)
    for p, batch in batches.items():
        scorers[p].add_many(batch)
    assert sorted(x for s in scorers for x in s.lead_ids) == sorted(one.lead_ids)
    for lead_id in one.lead_ids:
        assert lead_id in scorers[partition_of(lead_id, n)]
        got = scorers[partition_of(lead_id, n)].score(lead_id, AS_OF)
        assert_same(got, one.score(lead_id, AS_OF))


@settings(max_examples=60, deadline=None)
@given(scoring_models, event_lists(LEAD_IDS, max_size=25), links(), st.integers(1, 4))
def test_partitions_with_links_score_as_one_scorer(
    model: ScoringModel, events: list[Event], given_links: list[Identity], n: int
) -> None:
    """With links (sent to the lead's partition, an alias's earlier state moved there by
    snapshot and merge), the partitions still answer as one Scorer, later events of an
    alias included."""
    assume(not id_readers(model))  # its ids would be matched unqualified
    one = Scorer(model)
    router = Router([Scorer(model) for _ in range(n)])
    early, late = events[: len(events) // 2], events[len(events) // 2 :]
    one.add_many(early)
    for event in early:
        router.scorer_of(event.lead_id).add(event)
    for identity in given_links:
        one.link(identity.alias, identity.lead_id, identity.at)
        router.link(identity)
    one.add_many(late)
    for event in late:
        router.scorer_of(event.lead_id).add(event)
    owners = sorted(x for s in router.scorers for x in s.lead_ids)
    assert owners == sorted(one.lead_ids)
    for lead_id in one.lead_ids:
        assert_same(router.scorer_of(lead_id).score(lead_id, AS_OF), one.score(lead_id, AS_OF))


def test_docs_recipe_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The "A keyed consumer group" blocks of docs/distributed.md run on their own (the
    page's other blocks need dask; test_docs skips the whole page without it)."""
    page = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    section = page[page.index("## A keyed consumer group") :]
    blocks = re.findall(r"^```python[ \t]*\n(.*?)^```", section, re.S | re.M)
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_consumer_group"}
    for number, code in enumerate(blocks, start=1):
        exec(compile(code, f"distributed.md[consumer group {number}]", "exec"), namespace)
    assert sorted(p.name for p in tmp_path.glob("*.sqlite")) == sorted(
        [*(f"partition-{p}.sqlite" for p in range(8)), "worker-b-partition-2.sqlite"]
    )
