#!/usr/bin/env python3
"""One row of make bench's summary table (target/bench/summary.md) for one scenario.

Reads the harness's JSON report and the server-side figures bench.sh measured, each passed by
name; an empty value means "not measured" and prints as "–". The columns are the header's in
bench.sh, in order.
"""
import argparse
import datetime
import json
import re

from histogram import buckets, number, server_quantile


def add_scraped(p, name, what, type=number):
    """Adds --NAME-start and --NAME-end: a figure read at the window's first scrape and at its second."""
    p.add_argument(f"--{name}-start", type=type, help=f"{what}, first scrape")
    p.add_argument(f"--{name}-end", type=type, help=f"{what}, second scrape")


def growth(a, name):
    """How much a figure added by add_scraped (NAME as argparse stores it: feed_messages) grew over the
    window; None if either scrape has no value."""
    start, end = getattr(a, f"{name}_start"), getattr(a, f"{name}_end")
    return None if start is None or end is None else end - start


def feed_rate(a):
    """Messages the feed carried per second over the 10 s window, as the server's tailer read them.

    The simulator's real rate (a little off its nominal --rate) as long as the tailer kept within a
    second of the feed at both ends of the window; else None (unknown).
    """
    lags = (a.tailer_lag_start, a.tailer_lag_end)
    if any(lag is None or lag > 1 for lag in lags):
        return None
    fed, took = growth(a, "feed_messages"), growth(a, "window")
    if fed is None or took is None or fed <= 0 or took <= 0:
        return None
    return fed / took


def micros(us):
    return f"{us / 1000:.1f} ms" if us >= 1000 else f"{us} µs"


def shown(value, fmt="{:.1f}"):
    return "–" if value is None else fmt.format(value)


PAUSE = re.compile(r"^\[(\S+)\] GC\(\d+\) Pause .* (\d+(?:\.\d+)?)ms$")


def gc_pauses(path, start, end):
    """The stop-the-world pauses a GC log (decorated with the wall time) shows between two epoch times:
    "COUNT, LONGEST ms", or "–" when unknown. Both G1's ("Pause Young ...") and ZGC's ("Pause Mark
    Start ...") pause lines count."""
    if not path or start is None or end is None:
        return "–"
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return "–"
    pauses = []
    for line in lines:
        m = PAUSE.match(line)
        if m:
            at = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
            if start <= at <= end:
                pauses.append(float(m.group(2)))
    return f"{len(pauses)}, {max(pauses):.1f} ms" if pauses else "0"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--report", required=True, help="the harness's NAME.json")
    p.add_argument("--nominal-rate", type=float, required=True, help="the simulator's --rate, messages/s")
    add_scraped(p, "window", "the time the scrape was asked for (epoch s)")
    add_scraped(p, "feed-messages", "tickstream_feed_messages_total")
    add_scraped(p, "tailer-lag", "tickstream_tailer_lag_seconds")
    add_scraped(p, "latency-buckets", "file of tickstream_delivery_latency_seconds buckets", type=None)
    p.add_argument("--server-cpu-seconds", required=True, help="the server's CPU time over the scenario")
    p.add_argument("--server-pss-mib", required=True, help="the server's PSS at the end")
    p.add_argument("--live-heap-mib", type=number, help="the server's live heap, clients connected")
    p.add_argument("--live-heap-before-mib", type=number, help="the server's live heap before any client")
    add_scraped(p, "allocated", "jvm_allocated_bytes_total")
    add_scraped(p, "sent", "tickstream_messages_sent_total (all kinds)")
    p.add_argument("--gc-log", help="the server's GC log (-Xlog:gc,gc+phases:file=...:time)")
    add_scraped(p, "harness-cpu", "the harness's CPU seconds, read at the scrape")
    p.add_argument("--transport", help="the server's network transport (tickstream_network_transport)")
    a = p.parse_args()

    r = json.load(open(a.report))
    measured = feed_rate(a)
    rate = measured if measured is not None else a.nominal_rate
    rate_text = f"{measured:,.1f}" if measured is not None else f"{a.nominal_rate:,.0f} (nominal)"
    b0, b1 = buckets(a.latency_buckets_start), buckets(a.latency_buckets_end)
    # deliveries asked for: every client gets the whole feed in the fan-out scenarios only (at the
    # feed's measured rate when the scrapes answered, else at the nominal one)
    asked = r["clients"] * rate if r["scenario"].startswith(("fanout", "below")) else 0
    ratio = f"{100 * r['deliveriesPerSecond'] / asked:.1f}%" if asked else "–"
    per_client = None
    if a.live_heap_mib is not None and a.live_heap_before_mib is not None:
        per_client = (a.live_heap_mib - a.live_heap_before_mib) * 1024 / r["clients"]
    # the server's allocation per delivery over the window (issue 16: at most 16 bytes)
    allocated, sent = growth(a, "allocated"), growth(a, "sent")
    per_delivery = allocated / sent if allocated is not None and sent is not None and sent > 0 else None
    gc = gc_pauses(a.gc_log, a.window_start, a.window_end)
    # the harness's own cost per message it received over the window (issue 16: at most 0.2 µs), the
    # server's messages sent standing for those received
    harness_cpu = growth(a, "harness_cpu")
    harness_us = harness_cpu * 1e6 / sent if harness_cpu is not None and sent else None
    lat = r["latency"]
    cells = [r["scenario"], r["clients"], rate_text, f"{r['deliveriesPerSecond']:,.0f}", ratio,
             micros(lat["p50"]), micros(lat["p99"]), micros(lat["p99.9"]), micros(lat["max"]),
             micros(r["latencyLastSeconds"]["p99"]), server_quantile(b0, b1, 0.5), server_quantile(b0, b1, 0.99),
             r["gaps"], a.server_cpu_seconds, f"{r.get('harnessCpuSeconds', 0):.0f}", a.server_pss_mib,
             shown(a.live_heap_before_mib), shown(a.live_heap_mib), shown(per_client), shown(per_delivery, "{:,.0f}"), gc,
             shown(harness_us, "{:.2f}"), a.transport or "–"]
    print("| " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
