#!/usr/bin/env python3
"""make bench's summary page (target/bench/index.html): a row per scenario run, linking to its report.

Reads each scenario's NAME.json (the harness's report, with the server's own /metrics figures under
"server") from the bench directory; a scenario without one gets a row saying so. One self-contained
page: inline CSS, no script, nothing fetched. The fuller table, with the figures bench.sh measures
from outside (PSS, live heap, GC log), stays in summary.md, linked from the page.
"""
import argparse
import html
import json
import os


def micros(us):
    if us is None:
        return "–"
    return f"{us} µs" if us < 1000 else f"{us / 1000:.1f} ms" if us < 1_000_000 else f"{us / 1e6:.2f} s"


def num(v, fmt="{:,.0f}"):
    return "–" if v is None else fmt.format(v)


COLUMNS = ["scenario", "clients", "deliveries/s", "p50", "p99", "p99.9", "max", "p99, last 10 s", "gaps",
           "disconnects", "server msgs sent/s", "server CPU cores", "server bytes allocated per delivery",
           "server GC pauses", "readers"]


def row(r):
    lat, server = r["latency"], r.get("server") or {}
    closes = sum(r.get("closes", {}).values())
    healthy = r.get("healthy", False)
    return [f"<a href='{html.escape(r['scenario'])}.html'>{html.escape(r['scenario'])}</a>",
            num(r["clients"]), num(r["deliveriesPerSecond"]), micros(lat["p50"]), micros(lat["p99"]),
            micros(lat.get("p99.9")), micros(lat["max"]), micros(r.get("latencyLastSeconds", {}).get("p99")),
            num(r["gaps"]), num(closes), num(server.get("messagesSentPerSecond")),
            num(server.get("cpuCores"), "{:.2f}"), num(server.get("allocatedBytesPerDelivery")),
            num(server.get("gcPauses")),
            "<span class='ok'>healthy</span>" if healthy else "<span class='bad'>gaps or reorders</span>"]


CSS = """body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}h1{font-size:24px}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 10px}th{background:#f6f8fa;text-align:left}
td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.none{text-align:left}td:first-child{text-align:left}.ok{color:#1a7f37}
.bad{color:#cf222e}.sub{color:#57606a}"""


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True, help="the bench directory: NAME.json in, index.html out")
    p.add_argument("scenarios", nargs="*", help="the scenarios run, in order")
    a = p.parse_args()
    rows = []
    for name in a.scenarios:
        try:
            with open(os.path.join(a.out, name + ".json")) as f:
                cells = row(json.load(f))
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        except (OSError, ValueError, KeyError):
            rows.append(f"<tr><td>{html.escape(name)}</td><td colspan='{len(COLUMNS) - 1}' class='none'>the harness "
                        f"wrote no report: see {html.escape(name)}-harness.log</td></tr>")
    extras = [f for f in ("summary.md", "loopback-floor.txt", "startup.txt", "replication.txt", "history.txt")
              if os.path.exists(os.path.join(a.out, f))]
    links = ", ".join(f"<a href='{f}'>{f}</a>" for f in extras)
    page = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>tickstream benchmark</title>"
            f"<style>{CSS}</style></head><body><h1>tickstream benchmark</h1>"
            "<p class='sub'>One row per scenario; its name opens its report (latency percentiles, the run second "
            "by second, disconnects, the server's own figures, settings). Latency is from each message's write "
            "to the feed to its receipt by a healthy reader, over the measured window. "
            "Two reports compare with <code>java -jar target/tickstream.jar loadtest --compare A.json B.json</code>."
            f"{' Also: ' + links + '.' if links else ''}</p><table><tr>"
            + "".join(f"<th>{c}</th>" for c in COLUMNS) + "</tr>" + "".join(rows) + "</table></body></html>")
    with open(os.path.join(a.out, "index.html"), "w") as f:
        f.write(page)


if __name__ == "__main__":
    main()
