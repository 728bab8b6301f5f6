"""The report of one bench/run: checks that every scenario's result is complete and
consistent, prints the summary table with the ratios against the peers, and writes the run's
JSON (every scenario's result under "scenarios", plus the ratios under "headline").

A ratio is scimsync's advantage over the peer measured in the same run: the peer's time,
bytes or memory over scimsync's, or scimsync's throughput over the peer's; below 1 the peer
did better.

    run_report.py RUN_DIR OUT_JSON SCALE COMMIT SCENARIO...

RUN_DIR holds NAME.json per scenario (the BENCH_RESULT each bench script wrote) and
NAME.seconds (its wall time). Exits 1 when a scenario's result is missing or fails a check:
rows lost, a tool that decoded another number of rows, a lag step with rows that never
arrived, a full pull that did not read the whole directory, HTTP errors, ratios that do not
follow from the figures. Speed is never checked: CI machines differ.
"""
import json
import math
import os
import sys


class Checks:
    def __init__(self):
        self.failures = []

    def that(self, condition, scenario, message):
        if not condition:
            self.failures.append(f"{scenario}: {message}")
        return condition


def positive(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 and math.isfinite(value)


def ratio(a, b):
    return round(a / b, 2) if positive(a) and positive(b) else None


def binlog_decode(result, check, rows):
    name = "binlog-decode"
    total = result.get("rows")
    check.that(positive(total), name, "no rows written")
    ours = result.get("scimsync_bench") or {}
    runs = ours.get("runs") or []
    check.that(runs, name, "no scimsync-bench runs")
    check.that(all(run.get("rows") == total for run in runs), name, f"scimsync-bench decoded other than {total} rows")
    check.that(len({run.get("digest") for run in runs}) == 1, name, "scimsync-bench's value digests differ between runs")
    assembled = (result.get("scimsync_bench_assemble") or {}).get("runs") or []
    check.that(all(run.get("rows") == total for run in assembled), name, "the assembled runs saw other row counts")
    binlog = result.get("mariadb_binlog") or {}
    check.that(positive(binlog.get("median_rows_per_second")), name, "no mariadb-binlog figure")
    python = result.get("python_mysql_replication")
    if check.that(python is not None, name, "no python-mysql-replication figure"):
        check.that(all(run.get("rows") == total for run in python.get("runs") or []), name,
                   "python-mysql-replication saw other row counts")
    fast = ours.get("median_rows_per_second")
    rows.append([name, "rows/s decoded", fast, "mariadb-binlog --verbose", binlog.get("median_rows_per_second"),
                 ratio(fast, binlog.get("median_rows_per_second"))])
    if python:
        rows.append([name, "rows/s decoded", fast, "python-mysql-replication", python.get("median_rows_per_second"),
                     ratio(fast, python.get("median_rows_per_second"))])
    rows.append([name, "peak RSS MiB", mib(ours.get("median_peak_rss_kib")), "mariadb-binlog --verbose",
                 mib(binlog.get("median_peak_rss_kib")), None])
    tail = result.get("tail")
    if check.that(isinstance(tail, dict), name, "no scimsync tail figures"):
        binlog_tail(tail, check, rows)


def binlog_tail(tail, check, rows):
    """`scimsync tail` against `mariadb-binlog --read-from-remote-server --verbose` on small
    transactions and a huge one: every row printed by both, every figure there, the ratio
    following from the rows/s."""
    name = "binlog-decode"
    shapes = {shape.get("shape"): shape for shape in tail.get("shapes") or []}
    for label in ("small", "huge"):
        shape = shapes.get(label)
        if not check.that(shape is not None, name, f"no scimsync tail figures for the {label} transactions"):
            continue
        total = shape.get("rows")
        check.that(positive(total) and positive(shape.get("transactions")), name, f"tail {label}: no rows or transactions")
        ours = shape.get("scimsync_tail") or {}
        peer = shape.get("mariadb_binlog_remote") or {}
        check.that(ours.get("lines") == total, name, f"tail {label}: scimsync tail printed {ours.get('lines')} lines of {total}")
        check.that(peer.get("rows") == total, name, f"tail {label}: mariadb-binlog printed {peer.get('rows')} rows of {total}")
        for tool, figures in (("scimsync tail", ours), ("mariadb-binlog", peer)):
            for field in ("median_rows_per_second", "median_seconds", "median_cpu_seconds", "median_peak_rss_kib"):
                check.that(positive(figures.get(field)), name, f"tail {label}: no {field} for {tool}")
        expected = ratio(ours.get("median_rows_per_second"), peer.get("median_rows_per_second"))
        check.that(expected is not None and positive(shape.get("ratio")) and abs(shape["ratio"] - expected) <= 0.01,
                   name, f"tail {label}: the ratio {shape.get('ratio')} does not follow from the rows/s")
        rows.append([name, f"tail rows/s, {label} transactions", ours.get("median_rows_per_second"),
                     "mariadb-binlog -v (remote)", peer.get("median_rows_per_second"), expected])
        rows.append([name, f"tail peak RSS MiB, {label}", mib(ours.get("median_peak_rss_kib")),
                     "mariadb-binlog -v (remote)", mib(peer.get("median_peak_rss_kib")), None])


def mib(kib):
    return round(kib / 1024, 1) if positive(kib) else None


def initial_load(result, check, rows):
    name = "initial-load"
    check.that(positive(result.get("users")) and positive(result.get("memberships")), name, "no directory")
    targets = result.get("targets") or []
    measured = {target.get("target") for target in targets}
    check.that(measured >= {"mariadb", "postgres", "sqlite"}, name, f"targets measured: {sorted(t for t in measured if t)}")
    for target in targets:
        where = f"{name} ({target.get('target')})"
        ours = target.get("scimsync") or {}
        peer = target.get("peer") or {}
        check.that(positive(ours.get("seconds")), where, "no time for scimsync")
        check.that(positive(peer.get("seconds")), where, f"no time for {peer.get('name')}")
        check.that(positive(ours.get("peak_rss_kib")) and positive(peer.get("restore_peak_rss_kib")), where, "no peak RSS")
        expected = ratio(ours.get("seconds"), peer.get("seconds"))
        check.that(expected is not None and abs(expected - target.get("ratio", -1)) <= 0.011, where,
                   f"ratio {target.get('ratio')} does not follow from the times ({expected})")
        rows.append([where, f"seconds, {result.get('users')} users", ours.get("seconds"), peer.get("name"),
                     peer.get("seconds"), ratio(peer.get("seconds"), ours.get("seconds"))])
        rows.append([where, "peak RSS MiB", mib(ours.get("peak_rss_kib")), f"{peer.get('name')} (restore)",
                     mib(peer.get("restore_peak_rss_kib")), None])
        # The daemon's own time per phase: each there, and together within the whole load's.
        phases = ours.get("phase_seconds") or {}
        check.that(all(positive(phases.get(phase)) for phase in ("users", "memberships")), where,
                   f"phase times missing: {phases}")
        check.that(sum(v for v in phases.values() if isinstance(v, (int, float))) <= (ours.get("seconds") or 0), where,
                   f"the phases ({phases}) take longer than the load ({ours.get('seconds')} s)")
        rows.append([where, "phases s, users / memberships",
                     f"{phases.get('users')} / {phases.get('memberships')}", "", None, None])


def replication_lag(result, check, rows):
    name = "replication-lag"
    steps = result.get("steps") or []
    targets = {step.get("target") for step in steps}
    check.that(targets >= {"mysql", "postgres", "sqlite"}, name, f"targets measured: {sorted(targets)}")
    for step in steps:
        where = f"{step.get('target')} at {step.get('rate')}/s"
        check.that(step.get("arrived") == step.get("rows"), name, f"{where}: {step.get('arrived')} of {step.get('rows')} rows arrived")
        order = [step.get(key) for key in ("lag_ms_p50", "lag_ms_p95", "lag_ms_p99", "lag_ms_max")]
        if check.that(all(isinstance(v, (int, float)) for v in order), name, f"{where}: lag percentiles missing"):
            check.that(order == sorted(order), name, f"{where}: percentiles out of order {order}")
        series = step.get("series") or []
        check.that(sum(point[1] for point in series) == step.get("arrived"), name, f"{where}: the series does not count every row")
    for target in ("mysql", "postgres", "sqlite"):
        mine = [step for step in steps if step.get("target") == target]
        if mine:
            top = max(mine, key=lambda step: step.get("rate", 0))
            rows.append([name, f"{target} p50/p95/p99 ms at {top.get('rate')}/s",
                         f"{top.get('lag_ms_p50')}/{top.get('lag_ms_p95')}/{top.get('lag_ms_p99')}", "", None, None])


def one_change(result, check, rows):
    name = "one-change"
    sizes = result.get("sizes") or []
    check.that(len(sizes) >= 2, name, f"{len(sizes)} directory sizes (a curve needs two at least)")
    for size in sizes:
        where = f"N={size.get('users')}"
        cdc, pull = size.get("cdc") or {}, size.get("full_pull") or {}
        check.that(positive(cdc.get("ms_median")) and positive(cdc.get("bytes_median")), name, f"{where}: no CDC figures")
        check.that(len(cdc.get("ms") or []) == cdc.get("changes"), name, f"{where}: changes timed {len(cdc.get('ms') or [])}, asked {cdc.get('changes')}")
        pulled = (pull.get("detail") or {}).get("pulled") or {}
        check.that(
            [pulled.get("users"), pulled.get("groups"), pulled.get("memberships")]
            == [size.get("users"), size.get("groups"), size.get("memberships")],
            name, f"{where}: the full pull read {pulled}, the directory has {size.get('users')} users")
        check.that(positive(pull.get("seconds")) and positive(pull.get("bytes")), name, f"{where}: no full-pull figures")
        rows.append([name, f"ms for one change, N={size.get('users')}", cdc.get("ms_median"), "full SCIM pull (seeds' way)",
                     round(pull.get("seconds", 0) * 1000, 1), ratio(pull.get("seconds", 0) * 1000, cdc.get("ms_median"))])
        rows.append([name, f"bytes for one change, N={size.get('users')}", cdc.get("bytes_median"), "full SCIM pull (seeds' way)",
                     pull.get("bytes"), ratio(pull.get("bytes"), cdc.get("bytes_median"))])


def reconcile(result, check, rows):
    name = "reconcile"
    ours = result.get("scimsync") or {}
    for step, code in (("first_load", 0), ("no_drift", 0), ("drift_dry_run", 1), ("drift_apply", 0), ("no_drift_again", 0)):
        figures = ours.get(step)
        if check.that(figures is not None, name, f"no {step} pass"):
            check.that(figures.get("exit") == code, name, f"{step} exited {figures.get('exit')}, expected {code}")
    drift = result.get("drift") or {}
    check.that(all(positive(v) for v in drift.values()) and drift, name, f"the 1% drift was not made: {drift}")
    seeds = result.get("seeds_way")
    if check.that(seeds is not None, name, "no seeds' way figures"):
        for step in ("no_drift", "drift"):
            check.that((seeds.get(step) or {}).get("exit") == 0, name, f"the seeds' way {step} failed")
    for step, peer_step, label in (("no_drift", "no_drift", "0% drift"), ("drift_apply", "drift", "1% drift")):
        mine, theirs = ours.get(step) or {}, (seeds or {}).get(peer_step) or {}
        rows.append([name, f"seconds, {label}, {result.get('users')} users", mine.get("seconds"), "seeds' way (pull all, upsert all)",
                     theirs.get("seconds"), ratio(theirs.get("seconds"), mine.get("seconds"))])
        rows.append([name, f"peak RSS MiB, {label}", mib(mine.get("peak_rss_kib")), "seeds' way",
                     mib(theirs.get("peak_rss_kib")), ratio(mib(theirs.get("peak_rss_kib")), mib(mine.get("peak_rss_kib")))])
    # The drift sweep (bench/reconcile --drifts): every drift with both sides' figures.
    for point in result.get("sweep") or []:
        percent = point.get("drift_percent")
        mine, theirs = point.get("scimsync") or {}, point.get("seeds_way") or {}
        check.that(mine.get("exit") == 0, name, f"the pass at {percent}% drift exited {mine.get('exit')}")
        check.that(percent == 0 or positive(point.get("repairs")), name, f"no drift was made at {percent}%")
        if seeds is not None:
            check.that(theirs.get("exit") == 0, name, f"the seeds' way at {percent}% drift failed")
        rows.append([name, f"seconds, {percent}% drift (sweep)", mine.get("seconds"), "seeds' way",
                     theirs.get("seconds"), ratio(theirs.get("seconds"), mine.get("seconds"))])


def scim_serve(result, check, rows):
    name = "scim-serve"
    ours = result.get("scimsync") or {}
    peer = result.get("scim2_server")
    for mode in ("filter", "page"):
        figures = ours.get(mode) or {}
        check.that(positive(figures.get("requests")), name, f"scimsync {mode}: no requests")
        check.that(figures.get("error_count") == 0, name, f"scimsync {mode}: {figures.get('error_count')} errors")
    if check.that(peer is not None, name, "no scim2-server figures"):
        # A slow machine may see no page of the peer's complete within a short measurement:
        # only that it was measured is checked.
        for mode in ("filter", "page"):
            figures = peer.get(mode) or {}
            check.that(isinstance(figures.get("requests"), int), name, f"scim2-server {mode}: not measured")
    for mode in ("filter", "page"):
        mine, theirs = ours.get(mode) or {}, (peer or {}).get(mode) or {}
        rows.append([name, f"{mode} requests/s", mine.get("requests_per_second"), "scim2-server",
                     theirs.get("requests_per_second"), ratio(mine.get("requests_per_second"), theirs.get("requests_per_second"))])
        rows.append([name, f"{mode} p99 ms", mine.get("p99_ms"), "scim2-server", theirs.get("p99_ms"),
                     ratio(theirs.get("p99_ms"), mine.get("p99_ms"))])


def sqlserver(result, check, rows):
    name = "sqlserver"
    load = result.get("load") or {}
    check.that(positive(load.get("users")) and positive(load.get("seconds")), name, f"no first load figures: {load}")
    steps = result.get("lag") or []
    check.that(steps, name, "no lag steps")
    for step in steps:
        where = f"at {step.get('rate')}/s"
        check.that(step.get("arrived") == step.get("rows"), name, f"{where}: {step.get('arrived')} of {step.get('rows')} rows arrived")
        order = [step.get(key) for key in ("lag_ms_p50", "lag_ms_p95", "lag_ms_p99", "lag_ms_max")]
        if check.that(all(isinstance(v, (int, float)) for v in order), name, f"{where}: lag percentiles missing"):
            check.that(order == sorted(order), name, f"{where}: percentiles out of order {order}")
    # Against the TDS test double (Python over SQLite), not SQL Server: no peer to compare with.
    rows.append([name, f"first load s, {load.get('users')} users (test double)", load.get("seconds"), "", None, None])
    for step in steps:
        rows.append([name, f"p50/p99 ms at {step.get('rate')}/s, poll 1 s", f"{step.get('lag_ms_p50')}/{step.get('lag_ms_p99')}",
                     "", None, None])


def feed(result, check, rows):
    name = "feed"
    users = result.get("users")
    check.that(positive(users), name, "no user count")
    runs = {run.get("run"): run for run in result.get("runs") or []}
    expected = {"first run": {"create": users}, "1% changed": {"update": (users or 0) // 100}, "nothing changed": {}}
    for label, changes in expected.items():
        run = runs.get(label)
        if not check.that(run is not None, name, f"no {label}"):
            continue
        counts = run.get("counts") or {}
        check.that(counts.get("records") == users, name, f"{label}: {counts.get('records')} of {users} records read")
        made = {kind: counts[kind] for kind in ("create", "update", "block", "unblock") if counts.get(kind)}
        check.that(made == changes, name, f"{label}: changes {made}, expected {changes}")
        ours, theirs = run.get("scimsync_seconds"), run.get("seeds_seconds")
        check.that(positive(ours) and positive(theirs), name, f"{label}: times missing")
        check.that(run.get("ratio") == ratio(theirs, ours), name, f"{label}: the ratio does not follow from the times")
        rows.append([name, f"{label} s, {users} users", ours, "seeds' way (upsert all)", theirs, ratio(theirs, ours)])


def saturation(result, check, rows):
    name = "saturation"
    source = result.get("source") or {}
    source_max = source.get("max_rows_per_second")
    check.that(positive(source_max), name, f"no maximum commit rate of the source: {source}")
    limit = result.get("limit_ms")
    check.that(positive(limit), name, "no lag limit")
    found = result.get("targets") or []
    targets = {target.get("target") for target in found}
    check.that(targets >= {"mysql", "postgres", "sqlite"}, name, f"targets measured: {sorted(targets)}")
    for target in found:
        kind = target.get("target")
        steps = target.get("steps") or []
        check.that(steps, name, f"{kind}: no steps")
        for step in steps:
            where = f"{kind} at {step.get('rate')}/s"
            check.that(step.get("arrived") == step.get("rows"), name, f"{where}: {step.get('arrived')} of {step.get('rows')} rows arrived")
            order = [step.get(key) for key in ("lag_ms_p50", "lag_ms_p95", "lag_ms_p99", "lag_ms_max")]
            if check.that(all(isinstance(v, (int, float)) for v in order), name, f"{where}: lag percentiles missing"):
                check.that(order == sorted(order), name, f"{where}: percentiles out of order {order}")
                # A step passes exactly when every row arrived and its p99 is within the limit
                # (at the rate the writer achieved, when that fell short of the rate asked).
                expected = step.get("arrived") == step.get("rows") and order[2] <= (limit or 0)
                check.that(step.get("passed") is expected, name,
                           f"{where}: marked passed={step.get('passed')} with p99 {order[2]} ms against {limit} ms")
            series = step.get("series") or []
            check.that(sum(point[1] for point in series) == step.get("arrived"), name, f"{where}: the series does not count every row")
        def judged(step):
            # A source-bound step counts at the rate its writer achieved.
            achieved = step.get("achieved_rows_per_second")
            return int(achieved) if step.get("source_bound") and isinstance(achieved, (int, float)) else step.get("rate")

        passing = [judged(step) for step in steps if step.get("passed")]
        sustained = target.get("sustained_rows_per_second")
        check.that(sustained == (max(passing) if passing else None), name,
                   f"{kind}: sustained rate {sustained} is not the highest passing step's ({max(passing) if passing else None})")
        # A repeated step is a failure measured once more; only the repeat counts.
        failing = [judged(step) for step in steps if step.get("passed") is False and not step.get("repeated")]
        check.that(target.get("lowest_failing_rate") == (min(failing) if failing else None), name,
                   f"{kind}: lowest failing rate {target.get('lowest_failing_rate')} is not the lowest failing step's")
        rows.append([name, f"{kind} rows/s with p99 <= {limit} ms", sustained, "the source's own max commit rate", source_max,
                     ratio(sustained, source_max)])


def chat_directories(result, check, rows):
    name = "chat-directories"
    users = result.get("users")
    check.that(positive(users), name, "no user count")
    found = result.get("platforms") or []
    platforms = {entry.get("platform") for entry in found}
    check.that(platforms >= {"dingtalk", "wecom", "feishu"}, name, f"platforms measured: {sorted(p for p in platforms if p)}")
    for entry in found:
        where = f"{name}: {entry.get('platform')}"
        expected = entry.get("expected") or {}
        ours = entry.get("scimsync") or {}
        # The target holds the whole directory: users, groups and memberships.
        check.that(expected.get("users") == users and ours.get("target") == expected, where,
                   f"the target holds {ours.get('target')}, the directory {expected}")
        requests, seconds = ours.get("requests"), ours.get("seconds")
        check.that(positive(requests) and requests == sum((ours.get("per_api") or {}).values()), where,
                   f"scimsync's requests {requests} are not the simulator's count per API")
        check.that(positive(seconds), where, "scimsync's time missing")
        peer = entry.get("peer") or {}
        check.that(positive(peer.get("users")) and peer.get("users") <= (users or 0), where,
                   f"the peer's sample read {peer.get('users')} users")
        check.that(peer.get("refused_by_limit") == 0, where, f"the peer was refused {peer.get('refused_by_limit')} times by a limit")
        projected = entry.get("peer_projected") or {}
        per_user = [api for api in (peer.get("requests") or {}) if api not in (peer.get("fixed_apis") or [])]
        check.that(positive(projected.get("requests")) and projected.get("requests") == sum((projected.get("per_api") or {}).values())
                   and projected.get("requests") >= (users or 0) and per_user, where,
                   f"the peer's projected requests {projected.get('requests')} are not one or more per user")
        check.that(projected.get("seconds") == max(projected.get("seconds_by_limits") or 0, projected.get("seconds_by_sample") or 0),
                   where, "the peer's projected time is not the longer of its two projections")
        for key, a, b in (("requests_ratio", projected.get("requests"), requests), ("time_ratio", projected.get("seconds"), seconds)):
            follows = positive(a) and positive(b) and entry.get(key) == round(a / b, 1)
            check.that(follows, where, f"the {key} does not follow from the figures")
        platform = entry.get("platform")
        rows.append([name, f"{platform} requests, {users} users", requests, "one user/get per user (projected)",
                     projected.get("requests"), ratio(projected.get("requests"), requests)])
        rows.append([name, f"{platform} read s, {users} users", seconds, "one user/get per user (projected)",
                     projected.get("seconds"), ratio(projected.get("seconds"), seconds)])


SCENARIOS = {
    "binlog-decode": binlog_decode,
    "initial-load": initial_load,
    "replication-lag": replication_lag,
    "one-change": one_change,
    "reconcile": reconcile,
    "scim-serve": scim_serve,
    "sqlserver": sqlserver,
    "feed": feed,
    "saturation": saturation,
    "chat-directories": chat_directories,
}


def text(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main():
    run_dir, out, scale, commit = sys.argv[1:5]
    names = sys.argv[5:]
    check = Checks()
    rows, scenarios, seconds = [], {}, {}
    for name in names:
        path = os.path.join(run_dir, f"{name}.json")
        if not check.that(os.path.exists(path), name, "no result (the scenario failed; see its log)"):
            continue
        with open(path) as file:
            try:
                result = json.load(file)
            except json.JSONDecodeError as error:
                check.that(False, name, f"the result is not JSON: {error}")
                continue
        scenarios[name] = result
        timing = os.path.join(run_dir, f"{name}.seconds")
        if os.path.exists(timing):
            seconds[name] = float(open(timing).read().strip())
        SCENARIOS[name](result, check, rows)

    meminfo = dict(line.split(":", 1) for line in open("/proc/meminfo"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    report = {
        "benchmark": "run", "scale": scale, "commit": commit, "date": os.environ.get("BENCH_STAMP", ""),
        "machine": {"cores": os.cpu_count(), "memory_gib": round(int(meminfo["MemTotal"].split()[0]) / 1048576, 1),
                    "cpu": cpu, "kernel": os.uname().release},
        "scenario_seconds": seconds,
        "headline": [dict(zip(["scenario", "measure", "scimsync", "peer", "peer_value", "ratio"], row)) for row in rows],
        "failures": check.failures,
        "scenarios": scenarios,
    }
    with open(out, "w") as file:
        json.dump(report, file, indent=1, ensure_ascii=False)
        file.write("\n")

    widths = [16, 38, 14, 32, 14, 9]
    header = ["scenario", "measure", "scimsync", "peer", "peer value", "advantage"]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        cells = [row[0], row[1], text(row[2]), row[3], text(row[4]), f"{row[5]}x" if row[5] is not None else ""]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))
    print("scenario wall times: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    if check.failures:
        print("\nINCOMPLETE OR INCONSISTENT:", file=sys.stderr)
        for failure in check.failures:
            print(f"  {failure}", file=sys.stderr)
        sys.exit(1)


main()
