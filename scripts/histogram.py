#!/usr/bin/env python3
"""Quantiles of a Prometheus histogram between two scrapes, from its cumulative buckets.

Used by bench-summary.py, and on its own by bench-replication.sh:
  histogram.py START END    (files of "LE COUNT" lines, as read_metric FILE NAME_bucket le writes)
prints the p50, p99 and p99.9 of what was counted between the two scrapes, each as its bucket's
upper bound.
"""
import sys


def number(text):
    """A float, or None for an empty or unreadable value."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def buckets(path):
    """A histogram's cumulative buckets, {upper bound: count}, from "LE COUNT" lines (read_metric ... le)."""
    out = {}
    try:
        for line in open(path):
            parts = line.split()
            if len(parts) == 2 and number(parts[0]) is not None and number(parts[1]) is not None:
                out[float(parts[0])] = float(parts[1])
    except OSError:
        pass
    return out


def server_quantile(b0, b1, q):
    """The server's latency quantile q over the window: fixed buckets, so a bucket's upper bound."""
    if not b1:
        return "–"
    les = sorted(b1)
    total = b1[les[-1]] - b0.get(les[-1], 0)
    if total <= 0:
        return "–"
    for le in les:
        if b1[le] - b0.get(le, 0) >= q * total:
            return "> 10 s" if le == float("inf") else f"≤ {le * 1000:g} ms"
    return "–"


if __name__ == "__main__":
    b0, b1 = buckets(sys.argv[1]), buckets(sys.argv[2])
    print(" ".join(f"p{q * 100:g} {server_quantile(b0, b1, q)}" for q in (0.5, 0.99, 0.999)))
