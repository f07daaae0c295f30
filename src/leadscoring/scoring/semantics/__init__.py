"""The scoring contract, defined once: every engine applies the rules through this package.

=====================  ===============================================  ====================
rule                   definition                                       where
=====================  ===============================================  ====================
decay weight           each decay's own formula (datetimes, integer     ``core/decay.py``
                       microseconds, numpy arrays)
window start           ``moment - span``, calendar-aware for months     :func:`window_start`
                       and years; before year 1, before every moment
limit                  an event counts if fewer than ``count`` earlier  :class:`Limiter`
                       counted events of the rule and lead lie in
                       ``(at - per, at]`` (without ``per``: ever)
repeat with cooldown   fires at the event completing ``times``          :class:`Repeater`
                       matching events in ``(at - within, at]``, then
                       not again until ``within`` has passed
window exit            ``at + within``: the first moment whose window   :func:`window_exit`
                       no longer holds an event at ``at``
rate                   met at ``t`` when ``(t - within, t]`` holds      :func:`rate_at`,
                       ``n >= min_denominator`` denominator events      :func:`rate_met`
                       and ``k / n >= at_least``; points decayed from
                       the moment it last became met (evaluated where
                       an event enters or leaves the window)
event points           ``points * weight``, counted when weight > 0     :func:`event_points`
attribute points       the rule's points once if the lead matches;      :func:`attribute_points`
                       never decays
reactivation points    ``points * weight`` at each reactivation of the  :func:`reactivation_points`
                       rule's kinds, decayed from its own time
rule cap, group cap    each clamped to ``[-cap, cap]``                  :func:`finish`
floor, ceiling         the total clamped to them                        :func:`finish`
=====================  ===============================================  ====================

:mod:`.scalar` holds these for one lead at a time (the object engine and the incremental
:class:`~leadscoring.Scorer`, on datetimes or integer microseconds alike); :mod:`.arrays`
holds the vectorised forms the columnar engine needs, beside them, and
``tests/test_semantics.py`` checks each vectorised form against its scalar one.
"""

from .scalar import (
    Limiter,
    Rate,
    Repeater,
    Totals,
    attribute_points,
    clamp,
    event_points,
    finish,
    limiter_for,
    rate_at,
    rate_met,
    reactivation_points,
    repeater_for,
    window_exit,
    window_exit_us,
    window_start,
    window_start_us,
)

__all__ = [
    "Limiter",
    "Rate",
    "Repeater",
    "Totals",
    "attribute_points",
    "clamp",
    "event_points",
    "finish",
    "limiter_for",
    "rate_at",
    "rate_met",
    "reactivation_points",
    "repeater_for",
    "window_exit",
    "window_exit_us",
    "window_start",
    "window_start_us",
]
