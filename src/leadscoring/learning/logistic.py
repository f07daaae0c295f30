"""Small penalised logistic regressions in pure Python, for :mod:`leadscoring.learning.calibrate`.

The design is sparse and column-wise: ``columns[j] = (rows, values)`` lists the rows where
feature ``j`` is non-zero. Rows may carry weights (a row then stands for ``weights[r]``
identical leads, ``positives[r]`` of them converted), so identical leads are fitted once.

The objective is the negative log-likelihood plus ``l1 * sum|b|`` and ``l2 / 2 * sum b**2``;
the intercept is not penalised. It is minimised as glmnet does: Newton steps (IRLS), each
solved by cyclic coordinate descent on the quadratic approximation (soft-thresholded for
L1), first over every feature and then over the active ones; a Newton step that would
raise the objective is halved. Deterministic: the same input gives the same numbers on
every platform with IEEE floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

__all__ = ["Column", "Design", "Fit", "aic", "design", "fit_logistic", "integer_points",
           "lasso_path"]

Column = tuple[list[int], list[float]]
"""The rows where a feature is non-zero, and its values there."""


@attrs.frozen(kw_only=True)
class Design:
    """A sparse weighted design: feature columns, row weights and converted counts."""

    columns: tuple[Column, ...]
    weights: tuple[float, ...]
    positives: tuple[float, ...]

    @property
    def rows(self) -> int:
        """The number of (distinct) rows."""
        return len(self.weights)

    @property
    def total(self) -> float:
        """The number of leads the rows stand for."""
        return math.fsum(self.weights)


@attrs.frozen(kw_only=True)
class Fit:
    """A fitted model: intercept, coefficients, and its deviance (``-2 log L``)."""

    intercept: float
    coefs: tuple[float, ...]
    deviance: float
    sweeps: int
    l1: float = 0.0

    @property
    def support(self) -> tuple[int, ...]:
        """The indexes of the non-zero coefficients."""
        return tuple(j for j, b in enumerate(self.coefs) if b != 0.0)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class _State:
    """Mutable working state of one fit (never leaves this module)."""

    def __init__(self, design: Design, intercept: float, coefs: Sequence[float]) -> None:
        self.design = design
        self.b0 = intercept
        self.beta = list(coefs)
        self.eta = _linear(design, intercept, self.beta)

    def objective(self, l1: float, l2: float) -> float:
        """Half the deviance plus the penalties."""
        pen = math.fsum(l1 * abs(b) + 0.5 * l2 * b * b for b in self.beta)
        return 0.5 * self.deviance() + pen

    def deviance(self) -> float:
        d = self.design
        return 2.0 * math.fsum(
            w * _softplus(e) - y * e
            for w, y, e in zip(d.weights, d.positives, self.eta, strict=True)
        )

    def gradient(self, j: int) -> float:
        rows, values = self.design.columns[j]
        w, y, eta = self.design.weights, self.design.positives, self.eta
        return math.fsum(
            v * (w[r] * _sigmoid(eta[r]) - y[r]) for r, v in zip(rows, values, strict=True)
        )

    def newton(self, l1: float, l2: float, allowed: Sequence[int], tol: float,
               max_sweeps: int) -> int:
        """One IRLS step: coordinate descent on the quadratic approximation (glmnet).

        The working residual of row ``r`` is ``res[r] - shift``: an intercept step moves
        ``shift`` instead of every row, so a sweep costs only the non-zeros it touches.
        """
        d = self.design
        wts: list[float] = []
        res: list[float] = []
        for w, y, e in zip(d.weights, d.positives, self.eta, strict=True):
            p = _sigmoid(e)
            h = max(w * p * (1.0 - p), 1e-10)
            wts.append(h)
            res.append((y - w * p) / h)
        total = math.fsum(wts)
        weighted = math.fsum(h * r for h, r in zip(wts, res, strict=True))  # sum of w * res
        shift = 0.0
        curv: dict[int, float] = {}
        mass: dict[int, float] = {}
        for j in allowed:
            rows, values = d.columns[j]
            a = m = 0.0
            for r, v in zip(rows, values, strict=True):
                wv = wts[r] * v
                m += wv
                a += wv * v
            curv[j], mass[j] = a, m
        sweeps = 0
        active: Sequence[int] = allowed
        full = True
        while sweeps < max_sweeps:
            sweeps += 1
            step = (weighted - shift * total) / total
            shift += step
            change = step * step * total
            for j in active:
                a = curv[j]
                if a + l2 <= 0.0:
                    continue
                rows, values = d.columns[j]
                b = self.beta[j]
                g = a * b - shift * mass[j]
                for r, v in zip(rows, values, strict=True):
                    g += wts[r] * v * res[r]
                new = 0.0 if abs(g) <= l1 else (g - math.copysign(l1, g)) / (a + l2)
                delta = new - b
                if delta != 0.0:
                    self.beta[j] = new
                    for r, v in zip(rows, values, strict=True):
                        res[r] -= delta * v
                    weighted -= delta * mass[j]
                    change = max(change, a * delta * delta)
            if change < tol * total:
                if full:
                    break
                active, full = allowed, True
            elif full:
                active, full = [j for j in allowed if self.beta[j] != 0.0], False
        self.b0 += shift
        return sweeps


def _run(state: _State, l1: float, l2: float, allowed: Sequence[int], tol: float,
         max_sweeps: int) -> tuple[int, float]:
    """Newton steps until the objective settles, halving a step that would raise it.

    Returns the number of sweeps and the final objective."""
    sweeps = 0
    before = after = state.objective(l1, l2)
    for _ in range(100):
        old_b0, old_beta, old_eta = state.b0, list(state.beta), state.eta
        sweeps += state.newton(l1, l2, allowed, tol, max_sweeps)
        state.eta = _linear(state.design, state.b0, state.beta)
        after = state.objective(l1, l2)
        t = 1.0
        while after > before + 1e-9 * abs(before) and t > 1e-3:
            t *= 0.5
            state.b0 = old_b0 + t * (state.b0 - old_b0)
            state.beta = [o + t * (b - o) for o, b in zip(old_beta, state.beta, strict=True)]
            state.eta = [o + t * (e - o) for o, e in zip(old_eta, state.eta, strict=True)]
            after = state.objective(l1, l2)
        if before - after <= tol * max(1.0, abs(after)):
            break
        before = after
    return sweeps, after


def _linear(design: Design, intercept: float, coefs: Sequence[float]) -> list[float]:
    eta = [intercept] * design.rows
    for (rows, values), b in zip(design.columns, coefs, strict=True):
        if b != 0.0:
            for r, v in zip(rows, values, strict=True):
                eta[r] += b * v
    return eta


def design(columns: Sequence[Column], labels: Sequence[bool]) -> Design:
    """A design with identical rows merged (a row's weight counts its leads)."""
    n = len(labels)
    row_items: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for j, (rows, values) in enumerate(columns):
        for r, v in zip(rows, values, strict=True):
            row_items[r].append((j, v))
    index: dict[tuple[tuple[int, float], ...], int] = {}
    weights: list[float] = []
    positives: list[float] = []
    for r, items in enumerate(row_items):
        key = tuple(items)
        k = index.get(key)
        if k is None:
            k = index[key] = len(weights)
            weights.append(0.0)
            positives.append(0.0)
        weights[k] += 1.0
        positives[k] += 1.0 if labels[r] else 0.0
    cols: list[Column] = [([], []) for _ in columns]
    for k, key in enumerate(index):
        for j, v in key:
            cols[j][0].append(k)
            cols[j][1].append(v)
    return Design(columns=tuple(cols), weights=tuple(weights), positives=tuple(positives))


def fit_logistic(
    design: Design,
    *,
    l2: float = 1.0,
    l1: float = 0.0,
    features: Sequence[int] | None = None,
    start: Fit | None = None,
    tol: float = 1e-7,
    max_sweeps: int = 500,
) -> Fit:
    """Fit a penalised logistic regression on ``features`` (default: all columns)."""
    allowed = list(range(len(design.columns))) if features is None else sorted(features)
    if start is None:
        rate = math.fsum(design.positives) / design.total
        rate = min(max(rate, 1e-9), 1.0 - 1e-9)
        intercept, coefs = math.log(rate / (1.0 - rate)), [0.0] * len(design.columns)
    else:
        intercept, coefs = start.intercept, list(start.coefs)
        keep = set(allowed)
        coefs = [b if j in keep else 0.0 for j, b in enumerate(coefs)]
    state = _State(design, intercept, coefs)
    sweeps, objective = _run(state, l1, l2, allowed, tol, max_sweeps)
    penalty = math.fsum(l1 * abs(b) + 0.5 * l2 * b * b for b in state.beta)
    return Fit(intercept=state.b0, coefs=tuple(state.beta),
               deviance=2.0 * (objective - penalty), sweeps=sweeps, l1=l1)


def lasso_path(
    design: Design,
    *,
    max_features: int,
    l2: float = 1.0,
    steps: int = 40,
    ratio: float = 1e-3,
    tol: float = 1e-6,
    patience: int = 6,
) -> list[Fit]:
    """Fits along a decreasing L1 penalty, from none selected up to ``max_features``.

    Each fit starts from the previous one (warm start). The path stops before the first
    fit with more than ``max_features`` non-zero coefficients, or once ``patience`` fits
    in a row have not improved the AIC (``deviance + 2 * features``).
    """
    fit = fit_logistic(design, l2=l2, features=[])
    state = _State(design, fit.intercept, fit.coefs)
    top = max((abs(state.gradient(j)) for j in range(len(design.columns))), default=0.0)
    if top <= 0.0:
        return [fit]
    path = [fit]
    best, since = aic(fit), 0
    for k in range(1, steps):
        l1 = top * ratio ** (k / (steps - 1))
        fit = fit_logistic(design, l1=l1, l2=l2, start=fit, tol=tol)
        if len(fit.support) > max_features:
            break
        path.append(fit)
        if aic(fit) < best:
            best, since = aic(fit), 0
        else:
            since += 1
            if since >= patience:
                break
    return path


def aic(fit: Fit) -> float:
    """Akaike's information criterion of a fit: deviance plus twice its feature count."""
    return fit.deviance + 2.0 * len(fit.support)


def integer_points(
    design: Design,
    points: Sequence[int],
    base: int,
    *,
    scale: float,
    offset: float = 0.0,
    l2: float = 0.0,
    free_base: bool = True,
    max_passes: int = 50,
) -> tuple[list[int], int, float, float]:
    """Whole-number points that lower the penalised logistic loss, from ``points``.

    A lead's log-odds are ``(offset + base + sum of points * values) / scale``: ``scale``
    points per unit of log-odds. Starting from the rounded fit, cyclic coordinate descent
    over the integers: each point (and the ``base``, unless not ``free_base``) moves by
    one up or down, or a point moves while the base moves back (a swap between a rule and
    the leads without it), while that lowers half the deviance plus
    ``l2 / 2 * sum (p / scale)**2`` (the fit's own objective); passes repeat until none
    improves, at most ``max_passes``.
    The loss never rises, so the result is at least as good as rounding on the training
    leads. Deterministic: coordinates in order, "down" tried before "up" on ties.

    Returns the points, the base, and the objective at the start and at the end.
    """
    pts = list(points)
    w, y = design.weights, design.positives
    eta = [(offset + base) / scale] * design.rows
    for (rows, values), p in zip(design.columns, pts, strict=True):
        if p:
            for r, v in zip(rows, values, strict=True):
                eta[r] += p * v / scale

    def objective() -> float:
        dev = math.fsum(wr * _softplus(e) - yr * e for wr, yr, e in zip(w, y, eta, strict=True))
        return dev + 0.5 * l2 * math.fsum((p / scale) ** 2 for p in pts)

    start = objective()
    step = 1.0 / scale
    n = design.rows

    def moves(j: int) -> list[tuple[int, int, list[tuple[int, float]]]]:
        """The moves of coordinate ``j`` (-1: the base): (point change, base change, and
        the rows whose log-odds change, with the change in points)."""
        rows, values = design.columns[j] if j >= 0 else ([], [])
        out: list[tuple[int, int, list[tuple[int, float]]]] = []
        for d in (-1, 1):
            if j < 0:
                out.append((0, d, [(r, float(d)) for r in range(n)]))
                continue
            out.append((d, 0, [(r, d * v) for r, v in zip(rows, values, strict=True)]))
            if free_base:  # the point moves and the base moves back: a swap of levels
                shift = [float(-d)] * n
                for r, v in zip(rows, values, strict=True):
                    shift[r] += d * v
                out.append((d, -d, [(r, x) for r, x in enumerate(shift) if x != 0.0]))
        return out

    def change(j: int, d: int, changed: Sequence[tuple[int, float]]) -> float:
        total = math.fsum(
            w[r] * (_softplus(eta[r] + x * step) - _softplus(eta[r])) - y[r] * x * step
            for r, x in changed
        )
        if j >= 0 and d:
            total += 0.5 * l2 * (((pts[j] + d) / scale) ** 2 - (pts[j] / scale) ** 2)
        return total

    coordinates: list[int] = [*([-1] if free_base else []), *range(len(pts))]
    for _ in range(max_passes):
        improved = False
        for j in coordinates:
            if j >= 0 and not design.columns[j][0]:
                continue
            options = moves(j)
            while True:
                best, pick = -1e-12, -1
                for k, (d, _, changed) in enumerate(options):
                    found = change(j, d, changed)
                    if found < best:
                        best, pick = found, k
                if pick < 0:
                    break
                improved = True
                d, db, changed = options[pick]
                if j >= 0:
                    pts[j] += d
                base += db
                for r, x in changed:
                    eta[r] += x * step
        if not improved:
            break
    return pts, base, start, objective()
