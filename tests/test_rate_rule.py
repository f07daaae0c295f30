"""Tests of RateRule: points while a share of events holds ("opened at least 40% of the last
90 days' delivered emails, at least 5 delivered").

The rule value and its checks, the model file form (read, written, schema, errors with
their JSON paths), hand-worked scores (each number derived in the comment or docstring
next to it), the explanation, the incremental Scorer (late events, snapshots, links),
the timeline and the columnar engine. Every engine is also run on the conformance table
(``tests/conformance/cases.py``, the ``rate-*`` cases) and on generated models
(``tests/conformance/test_engine_properties.py``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadscoring import (
    Event,
    HalfLife,
    InvalidModelError,
    Lead,
    LeadScoringError,
    NoDecay,
    RateRule,
    Scorer,
    ScoringModel,
    Window,
    dump_model,
    load_model,
    model_schema,
    score,
    score_all,
    timeline,
    when,
)
from leadscoring.model.config import model_from_dict, parse_model_text

T0 = datetime(2026, 1, 1, tzinfo=UTC)

OPEN = when(type="email_open")
DELIVERED = when(type="email_delivered")


def day(n: float) -> datetime:
    """``n`` days after :data:`T0`."""
    return T0 + timedelta(days=n)


def rate(**changes: Any) -> RateRule:
    """The rule of the issue: 10 points while at least 40% of the last 90 days' delivered
    emails were opened, with at least 5 delivered."""
    settings: dict[str, Any] = {
        "name": "reads our emails",
        "numerator": OPEN,
        "denominator": DELIVERED,
        "within": "90d",
        "at_least": 0.4,
        "min_denominator": 5,
        "points": 10,
    }
    settings.update(changes)
    return RateRule(**settings)


def model(*rules: RateRule, decay: Any = None) -> ScoringModel:
    """A model of ``rules`` with a 30-day half-life unless ``decay`` says otherwise."""
    return ScoringModel(
        name="emails",
        rules=list(rules),
        default_decay=HalfLife(days=30) if decay is None else decay,
    )


def emails(lead: str, kind: str, *days: float, ids: bool = False) -> list[Event]:
    """``email_<kind>`` events of ``lead`` on each of ``days`` (ids ``<kind>-<day>``)."""
    return [
        Event(
            lead_id=lead,
            type=f"email_{kind}",
            at=day(d),
            id=f"{kind}-{d}" if ids else None,
        )
        for d in days
    ]


LEAD = Lead(id="a")

# The worked example of docs/concepts.md: delivered on days 0, 10, 20, 30, 40, opened on
# days 11 and 31. Before day 40 fewer than 5 were delivered; on day 40, 2 of 5 = 40%:
# met since day 40.
EXAMPLE = [*emails("a", "delivered", 0, 10, 20, 30, 40), *emails("a", "open", 11, 31)]


# --------------------------------------------------------------------------- the value


def test_defaults_and_durations() -> None:
    """min_denominator defaults to 1, decay to the model's, group to engagement; within
    takes a duration string or a timedelta; mappings are conditions."""
    rule = RateRule(name="r", numerator={"type": "email_open"}, denominator=DELIVERED,
                    within="P90D", at_least=1, points=5)  # fmt: skip
    assert rule.numerator == OPEN
    assert (rule.within, rule.min_denominator, rule.decay, rule.group) == (
        timedelta(days=90), 1, None, "engagement",
    )  # fmt: skip
    assert rate(within=timedelta(hours=12)).within == timedelta(hours=12)


@pytest.mark.parametrize(
    ("changes", "path", "fragment"),
    [
        ({"at_least": 0}, "at_least", "a share in (0, 1]"),
        ({"at_least": -0.5}, "at_least", "a share in (0, 1]"),
        ({"at_least": 1.5}, "at_least", "a share in (0, 1]"),
        ({"at_least": math.nan}, "at_least", "a share in (0, 1]"),
        ({"at_least": "40%"}, "at_least", "expected a share between 0 and 1"),
        ({"at_least": True}, "at_least", "expected a share between 0 and 1"),
        ({"min_denominator": 0}, "min_denominator", "whole number >= 1"),
        ({"min_denominator": 2.5}, "min_denominator", "whole number >= 1"),
        ({"min_denominator": True}, "min_denominator", "whole number >= 1"),
        ({"within": "P3M"}, "within", "uses months"),
        ({"within": timedelta(0)}, "within", "must be positive"),
        ({"within": "-1d"}, "within", "cannot parse"),
        ({"numerator": 3}, "numerator", "expected a condition"),
        ({"denominator": {"n": {"gtee": 1}}}, "denominator", "gtee"),
        ({"points": math.inf}, "points", "finite"),
        ({"name": " "}, "name", "non-empty"),
    ],
)
def test_bad_values_name_the_field(changes: dict[str, Any], path: str, fragment: str) -> None:
    """Each bad argument raises InvalidModelError (a LeadScoringError) naming it."""
    with pytest.raises(InvalidModelError) as info:
        rate(**changes)
    assert isinstance(info.value, LeadScoringError)
    detail = info.value.errors[0]
    assert detail.path.startswith(path), detail
    assert fragment in str(info.value)


def test_a_model_takes_rate_rules_and_reads_their_fields() -> None:
    """A rate rule is an engagement rule of the model; fields_read sees both sides."""
    rule = rate(numerator=when(type="email_open", campaign="spring"))
    m = model(rule)
    assert m.groups == ("engagement",)
    assert m.fields_read() == (frozenset(), frozenset({"campaign"}))
    html = m._repr_html_()
    assert "email_open" in html
    assert "40%" in html


# --------------------------------------------------------------------------- the model file

TOML = """
name = "emails"
default_decay = { half_life = "30d" }

[[rules]]
name = "reads our emails"
kind = "rate"
numerator = { type = "email_open" }
denominator = { type = "email_delivered" }
within = "90d"
at_least = 0.4
min_denominator = 5
points = 10
"""


def test_the_model_file_form_reads_as_the_python_rule() -> None:
    """The TOML of docs/model-format.md is the rule the Python API builds."""
    assert parse_model_text(TOML, "toml") == model(rate())


def test_writing_leaves_out_defaults_and_reads_back(tmp_path: Any) -> None:
    """to_dict writes the keys in the file's order, min_denominator only when not 1;
    dump_model and load_model give the model back, in TOML and in JSON."""
    written = model(rate()).to_dict()["rules"][0]
    assert list(written) == [
        "name", "kind", "numerator", "denominator", "within", "at_least", "min_denominator",
        "points",
    ]  # fmt: skip
    assert (written["kind"], written["within"]) == ("rate", "90d")
    plain = rate(min_denominator=1, decay=Window(days=30), group="email")
    assert "min_denominator" not in model(plain).to_dict()["rules"][0]
    for m in (model(rate()), model(plain)):
        for suffix in (".toml", ".json"):
            assert load_model(dump_model(m, tmp_path / f"m{suffix}")) == m


def _document(**keys: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": "r", "kind": "rate", "numerator": {"type": "email_open"},
        "denominator": {"type": "email_delivered"}, "within": "90d", "at_least": 0.4,
        "points": 10,
    }  # fmt: skip
    for key, value in keys.items():
        if value is ...:
            del rule[key]
        else:
            rule[key] = value
    return {"name": "m", "rules": [{"name": "x", "kind": "event", "when": {}, "points": 1}, rule]}


@pytest.mark.parametrize(
    ("keys", "path", "fragment", "hint"),
    [
        ({"at_least": 1.5}, "$.rules[1].at_least", "must be a share in (0, 1], got 1.5",
         "0.4 means 40%: the numerator events over the denominator events"),
        ({"at_least": 0}, "$.rules[1].at_least", "must be a share in (0, 1]", None),
        ({"at_least": "40%"}, "$.rules[1].at_least", "expected a number", None),
        ({"min_denominator": 0}, "$.rules[1].min_denominator", "must be at least 1", None),
        ({"min_denominator": 2.5}, "$.rules[1].min_denominator", "expected a whole number",
         None),
        ({"within": "P3M"}, "$.rules[1].within", "calendar units", None),
        ({"within": 90}, "$.rules[1].within", "expected a duration", None),
        ({"numerator": ...}, "$.rules[1]", "missing required key 'numerator'", None),
        ({"denominator": {"type": {"eqq": 1}}}, "$.rules[1].denominator.type",
         "unknown operator 'eqq'", None),
        ({"when": {"type": "x"}}, "$.rules[1].when", "unknown key 'when'",
         "only event, repeat and attribute rules take 'when'"),
        ({"times": 3}, "$.rules[1].times", "unknown key 'times'", "only repeat rules take 'times'"),
        ({"at_leat": 0.4}, "$.rules[1].at_leat", "unknown key 'at_leat'", None),
    ],
)  # fmt: skip
def test_model_file_errors_name_the_json_path(
    keys: dict[str, Any], path: str, fragment: str, hint: str | None
) -> None:
    """Every problem is reported at its JSON path, with a hint where one helps."""
    with pytest.raises(InvalidModelError) as info:
        model_from_dict(_document(**keys))
    details = [d for d in info.value.errors if d.path == path and fragment in d.message]
    assert details, info.value.errors
    if hint is not None:
        assert details[0].hint == hint


def test_other_kinds_point_to_the_rate_rule_keys() -> None:
    """An event rule given a rate rule's key is told which kind takes it."""
    document = {"name": "m", "rules": [
        {"name": "r", "kind": "event", "when": {}, "points": 1, "within": "7d", "at_least": 1},
    ]}  # fmt: skip
    with pytest.raises(InvalidModelError) as info:
        model_from_dict(document)
    hints = {d.path: d.hint for d in info.value.errors}
    assert hints["$.rules[0].within"] == "only repeat and rate rules take 'within'"
    assert hints["$.rules[0].at_least"] == "only rate rules take 'at_least'"


def test_the_schema_describes_rate_rules() -> None:
    """The JSON Schema accepts what the reader writes and refuses a share above 1."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(model_schema())
    validator.validate(model(rate()).to_dict())
    assert not validator.is_valid(_document(at_least=1.5))
    assert not validator.is_valid(_document(min_denominator=0))
    assert not validator.is_valid(_document(numerator=...))
    entry = model_schema()["$defs"]["rate_rule"]
    assert entry["properties"]["kind"] == {"const": "rate"}
    assert entry["properties"]["min_denominator"]["default"] == 1


# --------------------------------------------------------------------------- scores


def test_met_at_the_event_that_reaches_the_share() -> None:
    """EXAMPLE at day 70: the window (-20d, 70d] holds all 5 deliveries and both opens:
    2 / 5 = 0.4 >= 0.4. Met since day 40 (day 31: 2 of 4, fewer than 5): 30 days of a
    30-day half-life: 10 * 0.5 = 5. The note says 2 of 5 (40%) within 90d, and the
    contribution is dated day 40, with no event id (a state, not an event)."""
    result = score(LEAD, EXAMPLE, model(rate()), as_of=day(70))
    assert result.total == 5.0
    (row,) = result.contributions
    assert (row.rule, row.event_at, row.event_id, row.weight) == (
        "reads our emails", day(40), None, 0.5,
    )  # fmt: skip
    assert row.note == "2 of 5 (40%) within 90d"
    assert "2 of 5 (40%) within 90d" in result.explain()


def test_not_met_when_the_share_falls() -> None:
    """Two more deliveries without opens: 2 of 7 = 0.29 < 0.4 at day 70: nothing."""
    events = [*EXAMPLE, *emails("a", "delivered", 50, 60)]
    assert score(LEAD, events, model(rate()), as_of=day(70)).total == 0.0


def test_met_from_the_moment_old_deliveries_leave_the_window() -> None:
    """at_least 0.5, min 3: delivered 0, 1, 2, 3, 50, 60, 70, opened 51, 61, 71. At day 71:
    3 of 7 = 0.43. At day 90 the day-0 delivery leaves (0d, 90d]: 3 of 6 = 0.5: met
    since day 90 (days 91, 92, 93: 3 of 5, 4, 3, still met). At day 90 exactly: 10; a
    microsecond before: 0; at day 100: 10 * 0.5 ** (10 / 30)."""
    events = [*emails("a", "delivered", 0, 1, 2, 3, 50, 60, 70), *emails("a", "open", 51, 61, 71)]
    m = model(rate(at_least=0.5, min_denominator=3))
    assert score(LEAD, events, m, as_of=day(90)).total == 10.0
    assert score(LEAD, events, m, as_of=day(90) - timedelta(microseconds=1)).total == 0.0
    later = score(LEAD, events, m, as_of=day(100))
    assert later.total == pytest.approx(10 * 0.5 ** (1 / 3), rel=1e-12)
    assert later.contributions[0].event_at == day(90)
    assert later.contributions[0].note == "3 of 3 (100%) within 90d"


def test_lost_when_events_leave_and_then_too_few() -> None:
    """EXAMPLE at day 95: (5d, 95d] no longer holds the day-0 delivery: 2 of 4, fewer
    than 5: not met (the ratio went up, the count below the minimum)."""
    assert score(LEAD, EXAMPLE, model(rate()), as_of=day(95)).total == 0.0
    assert score(LEAD, EXAMPLE, model(rate(min_denominator=4)), as_of=day(95)).total > 0


def test_lost_and_met_again_decays_from_the_latest_switch() -> None:
    """Delivered 0, 10, ..., 60, opened 5, 15, 65: met at 40 (2 of 5), lost at 50 (2 of 6),
    met again at 65 (3 of 7 = 0.43). At day 80: 10 * 0.5 ** (15 / 30)."""
    events = [*emails("a", "delivered", 0, 10, 20, 30, 40, 50, 60), *emails("a", "open", 5, 15, 65)]
    result = score(LEAD, events, model(rate()), as_of=day(80))
    assert result.total == pytest.approx(10 * 0.5**0.5, rel=1e-12)
    assert result.contributions[0].event_at == day(65)


def test_events_after_as_of_are_invisible() -> None:
    """At day 35 only 4 deliveries exist (day 40 is later): nothing, even though the
    history would meet the rule on day 40."""
    assert score(LEAD, EXAMPLE, model(rate()), as_of=day(35)).total == 0.0


def test_copies_count_once() -> None:
    """Deliveries 0, 10, 20, 30 sent twice with the same ids: 4 deliveries, not 8, so 4
    opens are 100% of fewer than 5: nothing. With a fifth delivery: 4 of 5: 10."""
    delivered = emails("a", "delivered", 0, 10, 20, 30, ids=True)
    events = [*delivered, *delivered, *emails("a", "open", 1, 11, 21, 31)]
    m = model(rate(), decay=NoDecay())
    assert score(LEAD, events, m, as_of=day(40)).total == 0.0
    events += emails("a", "delivered", 35, ids=True)
    assert score(LEAD, events, m, as_of=day(40)).total == 10.0


def test_an_event_of_both_sides_counts_on_both() -> None:
    """Clicks per engaged email (opens and clicks): 2 clicks of 4 engaged = 0.5 >= 0.5.
    Each click is on both sides; the opens only below the line."""
    rule = rate(numerator=when(type="email_click"),
                denominator=when(type=["email_open", "email_click"]),
                at_least=0.5, min_denominator=4)  # fmt: skip
    events = [*emails("a", "open", 1, 2), *emails("a", "click", 3, 4)]
    m = model(rule, decay=NoDecay())
    assert score(LEAD, events, m, as_of=day(5)).total == 10.0
    assert score(LEAD, events[:3], m, as_of=day(5)).total == 0.0  # 1 of 3: too few


def test_window_decay_counts_from_the_moment_met() -> None:
    """Met since day 4 (2 of 5): a Window(30d) decay gives 10 until day 34, then 0."""
    events = [*emails("a", "delivered", 0, 1, 2, 3, 4), *emails("a", "open", 0, 1)]
    m = model(rate(decay=Window(days=30)))
    assert score(LEAD, events, m, as_of=day(33)).total == 10.0
    assert score(LEAD, events, m, as_of=day(34)).total == 0.0


def test_negative_points_and_caps_apply_as_to_any_rule() -> None:
    """A rate rule may take points away (e.g. mostly ignored emails); group caps clamp it."""
    ignores = rate(name="ignores us", numerator=DELIVERED, denominator=DELIVERED, at_least=1,
                   points=-20, group="email")  # fmt: skip
    m = ScoringModel(name="m", rules=[ignores], group_caps={"email": 15})
    assert score(LEAD, EXAMPLE, m, as_of=day(40)).total == -15.0


def test_score_all_and_timeline_agree_with_score() -> None:
    """score_all per lead, and the timeline at each sample, are score() at that moment:
    met from day 40 until day 90, when the day-0 delivery leaves (0d, 90d] (4 of 5)."""
    events = [*EXAMPLE, *emails("b", "delivered", 0, 1, 2, 3, 4), *emails("b", "open", 2)]
    m = model(rate())
    results = score_all([LEAD, Lead(id="b")], events, m, as_of=day(70))
    assert [r.total for r in results] == [5.0, 0.0]
    samples = timeline(LEAD, events, m, start=day(30), end=day(130), every="10d")
    for sample in samples:
        assert sample.total == score(LEAD, events, m, as_of=sample.as_of).total
    met = [s.as_of for s in samples if s.total > 0]
    assert met == [day(40), day(50), day(60), day(70), day(80)]


# --------------------------------------------------------------------------- the Scorer


def test_the_scorer_takes_late_events_and_equals_score() -> None:
    """The EXAMPLE fed newest first, then asked at days 40, 70 and 130: score()'s numbers,
    and the same note; at day 130 (40d, 130d] holds no delivery: nothing."""
    m = model(rate())
    stream = Scorer(m)
    for event in sorted(EXAMPLE, key=lambda e: e.at, reverse=True):
        stream.add(event)
    for moment in (day(40), day(70), day(130)):
        want = score(LEAD, EXAMPLE, m, as_of=moment)
        got = stream.score("a", moment)
        assert got.total == pytest.approx(want.total, rel=1e-12)
        assert [c.note for c in got.contributions] == [c.note for c in want.contributions]
        assert [c.event_at for c in got.contributions] == [c.event_at for c in want.contributions]
    assert stream.score("a", day(130)).total == 0.0


def test_a_snapshot_with_a_rate_rule_continues_exactly() -> None:
    """Through JSON and back, the scorer answers the same and keeps going: two more opens
    (days 45, 50) give 4 of 5 from day 45 on; at day 70 it is still met since day 40."""
    m = model(rate())
    stream = Scorer(m)
    stream.add_many(EXAMPLE)
    data = json.loads(json.dumps(stream.snapshot()))
    restored = Scorer.restore(m, data)
    assert restored.snapshot() == data
    assert restored.score("a", day(70)) == stream.score("a", day(70))
    more = emails("a", "open", 45, 50)
    for scorer in (stream, restored):
        scorer.add_many(more)
    assert restored.score("a", day(70)) == stream.score("a", day(70))
    assert restored.score("a", day(70)).total == score(LEAD, [*EXAMPLE, *more], m,
                                                         as_of=day(70)).total  # fmt: skip


def test_a_bad_rate_state_in_a_snapshot_is_refused() -> None:
    """The rule state is [numerator times, denominator times], each packed and in order; a
    changed state is refused by the checksum, and with a recomputed checksum by the value
    checks."""
    from leadscoring import SnapshotError
    from leadscoring.scoring.snapshot_checks import checksum

    m = model(rate())
    stream = Scorer(m)
    stream.add_many(EXAMPLE)
    data = json.loads(json.dumps(stream.snapshot()))
    for bad in ([1, 2, 3], ["!!", "!!"], [], ["", ""], None):
        broken = json.loads(json.dumps(data))
        broken["leads"]["a"]["rules"]["reads our emails"] = bad
        with pytest.raises(SnapshotError, match=r"\$\.checksum"):  # changed after it was made
            Scorer.restore(m, broken)
        # resealed, as someone who changed it on purpose would: the value checks refuse it
        broken["checksum"] = checksum(broken)
        with pytest.raises(SnapshotError, match="reads our emails"):
            Scorer.restore(m, broken)


def test_linking_unites_both_sides_of_both_histories() -> None:
    """A cookie's deliveries and the lead's opens are one history once linked: 2 of 5,
    the same as score_all with the link."""
    from leadscoring import Identity

    m = model(rate())
    cookie = [
        Event(lead_id="cookie", type=e.type, at=e.at) for e in EXAMPLE if e.type.endswith("ed")
    ]
    mine = [e for e in EXAMPLE if e.type == "email_open"]
    stream = Scorer(m)
    stream.add_many([*cookie, *mine])
    stream.link("cookie", "a", day(41))
    link = [Identity(alias="cookie", lead_id="a", at=day(41))]
    (want,) = score_all([LEAD], [*cookie, *mine], m, as_of=day(70), identities=link)
    assert stream.score("a", day(70)).total == want.total == 5.0


def test_a_rate_rule_reading_ids_blocks_incremental_links() -> None:
    """A rate rule whose condition reads event ids cannot be united incrementally."""
    from leadscoring import InvalidValueError, prefix

    m = model(rate(numerator=when(type="email_open", id=prefix("crm-"))))
    stream = Scorer(m)
    stream.add(Event(lead_id="cookie", type="email_open", at=day(1), id="crm-1"))
    with pytest.raises(InvalidValueError, match="reads event ids"):
        stream.link("cookie", "a", day(2))


# --------------------------------------------------------------------------- the frame engine


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_score_frame_gives_the_same_numbers(library: str) -> None:
    """score_frame on the worked examples: a 5, b 0 (2 of 7), c 10 * 0.5 ** (1/3) (met
    since its old deliveries left, at_least 0.5 and min 3 via a second rule)."""
    pytest.importorskip("narwhals")
    module = pytest.importorskip(library)
    from leadscoring import score_frame

    rules = (rate(), rate(name="half", at_least=0.5, min_denominator=3))
    events = [
        *EXAMPLE,
        *emails("b", "delivered", 0, 10, 20, 30, 40, 50, 60), *emails("b", "open", 11, 31),
        *emails("c", "delivered", 0, 1, 2, 3, 50, 60, 70), *emails("c", "open", 51, 61, 71),
    ]  # fmt: skip
    rows = {"lead_id": [e.lead_id for e in events], "type": [e.type for e in events],
            "at": [e.at for e in events]}  # fmt: skip
    frame = module.DataFrame(rows)
    m = model(*rules)
    table = score_frame(frame, m, as_of=day(100), by_rule=True)
    got = table.to_dicts() if library == "polars" else table.to_dict("records")
    leads = [Lead(id=x) for x in ("a", "b", "c")]
    want = score_all(leads, events, m, as_of=day(100))
    for row, result in zip(got, want, strict=True):
        assert row["lead_id"] == result.lead_id
        for name in ("reads our emails", "half"):
            assert row[f"by_rule.{name}"] == pytest.approx(result.by_rule[name], rel=1e-12)
    # c, rule "half": met since day 90 (its day-0 delivery left): 10 * 0.5 ** (10 / 30)
    assert got[2]["by_rule.half"] == pytest.approx(10 * 0.5 ** (1 / 3), rel=1e-12)
    # a at day 100: (10d, 100d] holds 4 deliveries: fewer than 5, but 2 of 4 >= 0.5 with
    # at least 3: "half" met since day 90 (day-0 delivery left), "reads our emails" not
    assert got[0]["by_rule.reads our emails"] == 0.0
    assert got[0]["by_rule.half"] == pytest.approx(10 * 0.5 ** (1 / 3), rel=1e-12)
