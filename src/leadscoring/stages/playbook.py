"""The playbook: the recommended next action for a lead's temperature and journey stage.

The defaults follow the source material: hot leads get a fast, individual follow-up by
sales; warm leads regular, personalised nurturing; cold leads content, research and
targeting. A lead that asked to be contacted is answered whatever its temperature.

>>> Playbook().action(Temperature.HOT, JourneyStage.COMPARISON)
'Follow up now: sales contacts the lead individually (call or personal email)'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..core.errors import ErrorDetail, InvalidValueError
from ..core.mapping import FrozenMap
from ..core.plain.forms import check_keys, raise_if, table
from ..signals.journey import JourneyStage
from .classifiers import Temperature

__all__ = ["DEFAULT_ACTIONS", "Playbook"]

DEFAULT_ACTIONS: Mapping[str, Mapping[str, str]] = {
    "hot": {
        "default": "Follow up now: sales contacts the lead individually (call or personal email)",
        "sales_ready": "Sales answers the request today, in person",
    },
    "warm": {
        "default": "Nurture regularly with personalised email and content",
        "comparison": "Personalised nurturing: case studies, pricing guide, offer a consultation",
        "sales_ready": "Answer the request promptly, then qualify the lead",
    },
    "cold": {
        "default": "Content, research and targeting: keep in broad campaigns, learn about the lead",
        "sales_ready": "Answer the request, then research the lead before a sales call",
    },
}
"""The default playbook, in the data form of the ``[playbook]`` section."""

_TEMPERATURES = ("hot", "warm", "cold")
_KEYS = ("default", *(s.value for s in JourneyStage))

Actions = FrozenMap[Temperature, FrozenMap[str, str]]


def _actions(value: Mapping[str, Mapping[str, str]]) -> Actions:
    """Every temperature's table; a temperature given replaces its whole default table."""
    given = table(value)
    errors = check_keys({str(k): v for k, v in given.items()}, _TEMPERATURES, "temperature")
    out: dict[Temperature, FrozenMap[str, str]] = {}
    for name in _TEMPERATURES:
        rows = given.get(name, DEFAULT_ACTIONS[name])
        if not isinstance(rows, Mapping):
            errors.append(ErrorDetail(path=name, message=f"expected a table, got {rows!r:.60}"))
            continue
        keyed = {str(k): v for k, v in rows.items()}
        errors += check_keys(keyed, _KEYS, "stage", f"{name}.")
        if "default" not in keyed:
            errors.append(
                ErrorDetail(
                    path=f"{name}.default",
                    message="missing: every temperature needs a default action",
                )
            )
        for key, text in keyed.items():
            if key in _KEYS and (not isinstance(text, str) or not text.strip()):
                message = f"must be non-empty text, got {text!r}"
                errors.append(ErrorDetail(path=f"{name}.{key}", message=message))
        out[Temperature(name)] = FrozenMap(
            {k: keyed[k] for k in _KEYS if isinstance(keyed.get(k), str)}
        )
    raise_if(errors)
    return FrozenMap(out)


@attrs.frozen(kw_only=True, repr=False)
class Playbook:
    """Temperature (and stage) → recommended next action, as text.

    ``actions`` maps a temperature to a table of ``default`` and, optionally, stage names
    (``sales_ready``, ``comparison``, ...) whose action overrides the default for leads in
    that stage. A temperature given replaces its whole default table; temperatures left
    out keep theirs (:data:`DEFAULT_ACTIONS`).

    >>> pb = Playbook(actions={"cold": {"default": "Add to the monthly newsletter"}})
    >>> pb.action("cold", "sales_ready")
    'Add to the monthly newsletter'
    """

    actions: Actions = attrs.field(factory=lambda: _actions({}), converter=_actions)

    def action(
        self, temperature: Temperature | str, stage: JourneyStage | str | None = None
    ) -> str:
        """The action for a lead of this temperature (and stage)."""
        if temperature not in _TEMPERATURES:
            known = ", ".join(_TEMPERATURES)
            message = f"unknown temperature {temperature!r}; one of {known}"
            raise InvalidValueError("temperature", message)
        rows = self.actions[Temperature(temperature)]
        if stage is not None and stage not in _KEYS[1:]:
            raise InvalidValueError("stage", f"unknown journey stage {stage!r}")
        return rows.get(str(stage), rows["default"]) if stage is not None else rows["default"]

    def __repr__(self) -> str:
        return f"Playbook(actions={self.to_dict()!r})"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``[playbook]`` section) that :meth:`from_dict` reads back."""
        return {t.value: dict(rows) for t, rows in self.actions.items()}

    @classmethod
    def from_dict(cls, data: object) -> Playbook:
        """Build from plain data; temperatures left out keep their default table."""
        return cls(actions=table(data))
