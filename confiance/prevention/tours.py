"""The patrol tour heuristic of the OTV route sheet: pure NumPy on a cost matrix, no Django.

`cost[i, j]` is the cost (seconds by road, or metres in a straight line) from stop i to stop j; it may be
asymmetric (one-way streets). Stop 0 is where the patrol starts and ends. The tour is built by nearest neighbour,
then improved until no move helps (or the move budget runs out):

- 2-opt: reverse a stretch of the tour. With an asymmetric cost the reversed stretch is driven the other way, so
  its own cost changes too; prefix sums of the forward and backward costs give every candidate's exact gain for one
  start in one vectorised row.
- Or-opt: move a run of 1 to 3 consecutive stops elsewhere in the tour, in the same direction.

Both are local searches: the result is a good tour, not a proven optimum (docs/prevention.md).
"""

from __future__ import annotations

import time

import numpy as np

MAX_ROUNDS = 50


def tour_cost(cost: np.ndarray, order: np.ndarray) -> float:
    """The cost of the closed tour `order` (back to its first stop)."""
    order = np.asarray(order)
    return float(cost[order, np.roll(order, -1)].sum())


def nearest_neighbour(cost: np.ndarray, start: int = 0) -> np.ndarray:
    """From `start`, always to the cheapest stop not yet visited."""
    size = len(cost)
    seen = np.zeros(size, dtype=bool)
    order = np.empty(size, dtype=np.int64)
    current = start
    for position in range(size):
        order[position] = current
        seen[current] = True
        if position == size - 1:
            break
        row = np.where(seen, np.inf, cost[current])
        current = int(np.argmin(row))
    return order


def _two_opt_pass(cost: np.ndarray, order: np.ndarray) -> bool:
    """One sweep over every stretch start; applies the best reversal found for each start. True when improved."""
    size = len(order)
    stale, changed = True, False
    for i in range(1, size - 1):
        if stale:  # prefix sums of the tour as it now stands
            nxt = np.roll(order, -1)
            forward = np.concatenate(([0.0], np.cumsum(cost[order[:-1], order[1:]])))
            backward = np.concatenate(([0.0], np.cumsum(cost[order[1:], order[:-1]])))
            closing = cost[order, nxt]
            stale = False
        a, b = order[i - 1], order[i]
        c, d = order[i + 1:], nxt[i + 1:]
        gain = (cost[a, b] + (forward[i + 1:] - forward[i]) + closing[i + 1:]) - \
               (cost[a, c] + (backward[i + 1:] - backward[i]) + cost[b, d])
        best = int(np.argmax(gain))
        if gain[best] > 1e-9:
            end = i + 1 + best
            order[i:end + 1] = order[i:end + 1][::-1].copy()
            stale = changed = True
    return changed


def _or_opt_pass(cost: np.ndarray, order: np.ndarray) -> bool:
    """Move runs of 1 to 3 stops to their best place (same direction). True when improved."""
    size = len(order)
    changed = False
    positions = np.arange(size)
    for length in (1, 2, 3):
        stale = True
        for i in range(1, size - length + 1):
            if stale:
                nxt = np.roll(order, -1)
                closing = cost[order, nxt]
                stale = False
            first, last = order[i], order[i + length - 1]
            before, after = order[i - 1], order[(i + length) % size]
            removal = closing[i - 1] + closing[i + length - 1] - cost[before, after]
            insertion = cost[order, first] + cost[last, nxt] - closing
            insertion[(positions >= i - 1) & (positions <= i + length - 1)] = np.inf  # where the run is
            best = int(np.argmin(insertion))
            if removal - insertion[best] > 1e-9:
                run = order[i:i + length].copy()
                rest = np.concatenate((order[:i], order[i + length:]))
                at = best + 1 if best < i else best + 1 - length
                order[:] = np.concatenate((rest[:at], run, rest[at:]))
                stale = changed = True
    return changed


def improve(cost: np.ndarray, order: np.ndarray, *, rounds: int = MAX_ROUNDS, budget_s: float = 0.6
            ) -> np.ndarray:
    """2-opt then Or-opt, repeated until neither improves the tour (or the time budget is spent, checked between
    rounds); the first stop stays first."""
    order = np.array(order, dtype=np.int64)
    if len(order) < 4:
        return order
    deadline = time.perf_counter() + budget_s
    for _round in range(rounds):
        if time.perf_counter() > deadline:
            break
        changed = _two_opt_pass(cost, order)
        changed = _or_opt_pass(cost, order) or changed
        if not changed:
            break
    return order


def plan_tour(cost: np.ndarray) -> np.ndarray:
    """The tour from stop 0: nearest neighbour, improved by 2-opt and Or-opt."""
    cost = np.asarray(cost, dtype=float)
    if len(cost) <= 2:
        return np.arange(len(cost))
    return improve(cost, nearest_neighbour(cost, 0))
