"""Checks that bench/lib/run_report.py's checks can fail: the committed large-scale report's
scenarios pass as they are, and each kind of damage is named when it is made to them.

    python3 bench/lib/run_report_test.py      (run by .ci/run)
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = sorted(glob.glob(os.path.join(HERE, "..", "results", "run-large-*.json")))[-1]
NAMES = ["binlog-decode", "initial-load", "replication-lag", "one-change", "reconcile", "scim-serve"]


# The committed large report predates the sqlserver scenario: a result of its shape.
SQLSERVER = {
    "load": {"users": 10000, "groups": 200, "memberships": 10000, "seconds": 1.5, "peak_rss_kib": 80000,
             "cpu_seconds": 1.0, "peer_cpu_seconds": 0.5},
    "lag": [{"rate": 500, "rows": 1500, "arrived": 1500, "lag_ms_p50": 396.0, "lag_ms_p95": 1252.0,
             "lag_ms_p99": 1371.5, "lag_ms_max": 1389.9}],
}

# Nor binlog-decode's tail figures.
def tail_shape(shape, transactions, ours, peer):
    return {"shape": shape, "rows": 20000, "transactions": transactions, "binlog_bytes": 5000000,
            "scimsync_tail": {"lines": 20000, "median_rows_per_second": ours, "median_seconds": round(20000 / ours, 3),
                              "median_cpu_seconds": 0.1, "median_peak_rss_kib": 20000},
            "mariadb_binlog_remote": {"rows": 20000, "median_rows_per_second": peer,
                                      "median_seconds": round(20000 / peer, 3), "median_cpu_seconds": 0.2,
                                      "median_peak_rss_kib": 9000},
            "ratio": round(ours / peer, 2)}


TAIL = {"rows": 20000, "shapes": [tail_shape("small", 2000, 600000, 250000), tail_shape("huge", 1, 700000, 300000)]}

# Nor initial-load's figures per target.
def load_target(target, ours, peer_name, peer):
    return {"target": target, "scimsync": {"seconds": ours, "peak_rss_kib": 87000},
            "peer": {"name": peer_name, "seconds": peer, "restore_peak_rss_kib": 11000},
            "ratio": round(ours / peer, 2)}


LOAD_TARGETS = [load_target("mariadb", 20.0, "mariadb-dump | mariadb", 23.6),
                load_target("postgres", 18.0, "pg_dump | psql", 21.0),
                load_target("sqlite", 9.0, "sqlite3 .dump | sqlite3", 12.0)]

# Nor the feed scenario.
FEED = {
    "scenario": "feed", "users": 5000, "export_bytes": 360000, "scimsync_peak_rss_kib": 60000,
    "runs": [
        {"run": "first run", "scimsync_seconds": 4.0, "scimsync_upload_seconds": 1.0, "seeds_seconds": 0.5, "ratio": 0.12,
         "counts": {"create": 5000, "records": 5000}, "seeds_peak_rss_kib": 30000},
        {"run": "1% changed", "scimsync_seconds": 2.0, "scimsync_upload_seconds": 1.0, "seeds_seconds": 0.5, "ratio": 0.25,
         "counts": {"update": 50, "records": 5000}, "seeds_peak_rss_kib": 30000},
        {"run": "nothing changed", "scimsync_seconds": 1.0, "scimsync_upload_seconds": 0.5, "seeds_seconds": 0.5,
         "ratio": 0.5, "counts": {"records": 5000}, "seeds_peak_rss_kib": 30000},
    ],
}


def saturation_step(target, rate, p99, passed, source_bound=False, repeated=False, achieved=None):
    rows = rate * 2
    step = {"target": target, "rate": rate, "rows": rows, "arrived": rows, "lag_ms_p50": p99 / 4, "lag_ms_p95": p99 / 2,
            "lag_ms_p99": p99, "lag_ms_max": p99 * 2, "passed": passed, "source_bound": source_bound,
            "achieved_rows_per_second": achieved if achieved is not None else float(rate),
            "series": [[0.0, rows // 2, p99 / 4, p99], [1.0, rows - rows // 2, p99 / 4, p99 * 2]]}
    if repeated:
        step["repeated"] = True
    return step


# A saturation result of bench/saturation's shape: mysql found its bracket (a failure at 400/s
# that its repeat did not confirm, then a failure where the writer achieved only 700 of the 800
# rows/s asked, which counts at 700), postgres kept pace with all the source committed (350 of
# 400 rows/s asked), sqlite failed from the start.
SATURATION = {
    "limit_ms": 100, "source": {"rows": 5000, "max_rows_per_second": 9000},
    "targets": [
        {"target": "mysql", "sustained_rows_per_second": 400, "lowest_failing_rate": 700,
         "steps": [saturation_step("mysql", 200, 20.0, True), saturation_step("mysql", 400, 150.0, False, repeated=True),
                   saturation_step("mysql", 400, 60.0, True), saturation_step("mysql", 800, 300.0, False, repeated=True),
                   saturation_step("mysql", 800, 300.0, False, True, achieved=700.4)]},
        {"target": "postgres", "sustained_rows_per_second": 350, "lowest_failing_rate": None,
         "steps": [saturation_step("postgres", 200, 30.0, True),
                   saturation_step("postgres", 400, 40.0, True, True, achieved=350.9)]},
        {"target": "sqlite", "sustained_rows_per_second": None, "lowest_failing_rate": 100,
         "steps": [saturation_step("sqlite", 200, 150.0, False), saturation_step("sqlite", 100, 120.0, False)]},
    ],
}


# Nor the chat-directories scenario: one platform's entry, its figures consistent.
def chat_platform(platform, seconds, peer_seconds):
    expected = {"users": 2000, "groups": 23, "memberships": 2091}
    per_api = {"token": 1, "tree": 24, "users": 24}
    projected = {"token": 1, "ids": 30, "user.get": 2000}
    requests, peer_requests = sum(per_api.values()), sum(projected.values())
    return {
        "platform": platform, "users": 2000, "expected": expected,
        "scimsync": {"requests": requests, "seconds": seconds, "per_api": per_api, "rate_limited": 0, "target": dict(expected)},
        "peer": {"platform": platform, "users": 542, "seconds": 27.0, "requests": {"token": 1, "ids": 8, "user.get": 542},
                 "refused_by_limit": 0, "fixed_apis": ["token"], "limits": [[20, 1.0]]},
        "peer_projected": {"requests": peer_requests, "seconds": peer_seconds, "per_api": projected,
                           "seconds_by_limits": peer_seconds, "seconds_by_sample": 99.6},
        "requests_ratio": round(peer_requests / requests, 1), "time_ratio": round(peer_seconds / seconds, 1),
    }


CHAT = {"scenario": "chat-directories", "users": 2000,
        "platforms": [chat_platform("dingtalk", 1.2, 101.0), chat_platform("wecom", 0.3, 100.0), chat_platform("feishu", 0.4, 120.0)]}


def run(scenarios, names=None):
    """run_report.py over these results; its exit status and standard error."""
    with tempfile.TemporaryDirectory() as directory:
        for name, result in scenarios.items():
            with open(os.path.join(directory, f"{name}.json"), "w") as file:
                json.dump(result, file)
        done = subprocess.run(
            [sys.executable, os.path.join(HERE, "run_report.py"), directory, os.path.join(directory, "out.json"),
             "test", "test", *(names or NAMES)], capture_output=True, text=True)
        return done.returncode, done.stderr


def main():
    original = json.load(open(REPORT))["scenarios"]
    original["binlog-decode"].setdefault("tail", TAIL)
    original["initial-load"].setdefault("targets", LOAD_TARGETS)
    for target in original["initial-load"]["targets"]:
        # Reports before the phases' times were written: the shares the large run's logs gave.
        seconds = target["scimsync"]["seconds"]
        target["scimsync"].setdefault("phase_seconds", {
            "groups": round(seconds * 0.01, 3), "parents": round(seconds * 0.01, 3), "users": round(seconds * 0.36, 3),
            "memberships": round(seconds * 0.6, 3)})
    status, errors = run(original)
    assert status == 0, f"the committed report fails its own checks:\n{errors}"

    def damaged(change):
        scenarios = copy.deepcopy(original)
        change(scenarios)
        return run(scenarios)

    cases = {
        "rows arrived": lambda s: s["replication-lag"]["steps"][0].update(arrived=s["replication-lag"]["steps"][0]["rows"] - 1),
        "targets measured": lambda s: s["replication-lag"].update(
            steps=[step for step in s["replication-lag"]["steps"] if step["target"] != "postgres"]),
        "the full pull read": lambda s: s["one-change"]["sizes"][0]["full_pull"]["detail"]["pulled"].update(users=1),
        "digests differ": lambda s: s["binlog-decode"]["scimsync_bench"]["runs"][0].update(digest="0"),
        "no scimsync tail figures": lambda s: s["binlog-decode"].pop("tail"),
        "tail small: scimsync tail printed 19999 lines of 20000":
            lambda s: s["binlog-decode"]["tail"]["shapes"][0]["scimsync_tail"].update(lines=19999),
        "tail huge: mariadb-binlog printed 1 rows of 20000":
            lambda s: s["binlog-decode"]["tail"]["shapes"][1]["mariadb_binlog_remote"].update(rows=1),
        "no scimsync tail figures for the huge transactions": lambda s: s["binlog-decode"]["tail"]["shapes"].pop(),
        "tail small: no median_cpu_seconds for scimsync tail":
            lambda s: s["binlog-decode"]["tail"]["shapes"][0]["scimsync_tail"].pop("median_cpu_seconds"),
        "tail huge: the ratio 9.0 does not follow": lambda s: s["binlog-decode"]["tail"]["shapes"][1].update(ratio=9.0),
        "python-mysql-replication saw other row counts":
            lambda s: s["binlog-decode"]["python_mysql_replication"]["runs"][0].update(rows=1),
        "does not follow from the times": lambda s: s["initial-load"]["targets"][0].update(ratio=9.99),
        "phase times missing": lambda s: s["initial-load"]["targets"][1]["scimsync"]["phase_seconds"].pop("users"),
        "take longer than the load": lambda s: s["initial-load"]["targets"][2]["scimsync"]["phase_seconds"].update(memberships=1e6),
        "drift_dry_run exited 0": lambda s: s["reconcile"]["scimsync"]["drift_dry_run"].update(exit=0),
        "the pass at 10% drift exited 1": lambda s: s["reconcile"].update(sweep=[
            {"drift_percent": 10, "repairs": 100, "scimsync": {"seconds": 1.0, "exit": 1}, "seeds_way": {"seconds": 2.0, "exit": 0}}]),
        "no drift was made at 1%": lambda s: s["reconcile"].update(sweep=[
            {"drift_percent": 1, "repairs": 0, "scimsync": {"seconds": 1.0, "exit": 0}, "seeds_way": {"seconds": 2.0, "exit": 0}}]),
        "scimsync filter: 3 errors": lambda s: s["scim-serve"]["scimsync"]["filter"].update(error_count=3),
        "scim-serve: no result": lambda s: s.pop("scim-serve"),
    }
    for expected, change in cases.items():
        status, errors = damaged(change)
        assert status == 1 and expected in errors, f"damage '{expected}' not reported (exit {status}):\n{errors}"
    sqlserver_cases = {
        "sqlserver: at 500/s: 1499 of 1500 rows arrived": lambda s: s["sqlserver"]["lag"][0].update(arrived=1499),
        "sqlserver: no first load figures": lambda s: s["sqlserver"].pop("load"),
        "percentiles out of order": lambda s: s["sqlserver"]["lag"][0].update(lag_ms_p99=1.0),
    }
    status, errors = run({"sqlserver": SQLSERVER}, names=["sqlserver"])
    assert status == 0, f"a complete sqlserver result fails the checks:\n{errors}"
    for expected, change in sqlserver_cases.items():
        scenarios = {"sqlserver": copy.deepcopy(SQLSERVER)}
        change(scenarios)
        status, errors = run(scenarios, names=["sqlserver"])
        assert status == 1 and expected in errors, f"damage '{expected}' not reported (exit {status}):\n{errors}"
    cases.update(sqlserver_cases)
    feed_cases = {
        "feed: first run: changes {'create': 4999}": lambda s: s["feed"]["runs"][0]["counts"].update(create=4999),
        "feed: nothing changed: changes {'block': 2}": lambda s: s["feed"]["runs"][2]["counts"].update(block=2),
        "feed: 1% changed: 4000 of 5000 records read": lambda s: s["feed"]["runs"][1]["counts"].update(records=4000),
        "feed: no nothing changed": lambda s: s["feed"]["runs"].pop(),
        "feed: first run: the ratio does not follow": lambda s: s["feed"]["runs"][0].update(ratio=1.0),
    }
    status, errors = run({"feed": FEED}, names=["feed"])
    assert status == 0, f"a complete feed result fails the checks:\n{errors}"
    for expected, change in feed_cases.items():
        scenarios = {"feed": copy.deepcopy(FEED)}
        change(scenarios)
        status, errors = run(scenarios, names=["feed"])
        assert status == 1 and expected in errors, f"damage '{expected}' not reported (exit {status}):\n{errors}"
    cases.update(feed_cases)
    saturation_cases = {
        "saturation: mysql at 800/s: 1599 of 1600 rows arrived":
            lambda s: s["saturation"]["targets"][0]["steps"][4].update(arrived=1599),
        "saturation: mysql at 400/s: marked passed=False with p99 60.0 ms":
            lambda s: s["saturation"]["targets"][0]["steps"][2].update(passed=False),
        "saturation: sqlite at 100/s: marked passed=True": lambda s: s["saturation"]["targets"][2]["steps"][1].update(passed=True),
        "mysql: sustained rate 800 is not the highest passing step's (400)":
            lambda s: s["saturation"]["targets"][0].update(sustained_rows_per_second=800),
        "mysql: lowest failing rate 700 is not the lowest failing step's":
            lambda s: s["saturation"]["targets"][0]["steps"][1].pop("repeated"),
        "postgres: sustained rate 400 is not the highest passing step's (350)":
            lambda s: s["saturation"]["targets"][1].update(sustained_rows_per_second=400),
        "sqlite: lowest failing rate 200 is not the lowest failing step's":
            lambda s: s["saturation"]["targets"][2].update(lowest_failing_rate=200),
        "saturation: targets measured: ['mysql', 'sqlite']": lambda s: s["saturation"]["targets"].pop(1),
        "saturation: no maximum commit rate of the source": lambda s: s["saturation"]["source"].pop("max_rows_per_second"),
        "saturation: postgres at 200/s: the series does not count every row":
            lambda s: s["saturation"]["targets"][1]["steps"][0]["series"].pop(),
    }
    status, errors = run({"saturation": SATURATION}, names=["saturation"])
    assert status == 0, f"a complete saturation result fails the checks:\n{errors}"
    for expected, change in saturation_cases.items():
        scenarios = {"saturation": copy.deepcopy(SATURATION)}
        change(scenarios)
        status, errors = run(scenarios, names=["saturation"])
        assert status == 1 and expected in errors, f"damage '{expected}' not reported (exit {status}):\n{errors}"
    cases.update(saturation_cases)
    chat_cases = {
        "chat-directories: dingtalk: the target holds {'users': 1999":
            lambda s: s["chat-directories"]["platforms"][0]["scimsync"]["target"].update(users=1999),
        "chat-directories: platforms measured: ['dingtalk', 'wecom']": lambda s: s["chat-directories"]["platforms"].pop(),
        "chat-directories: wecom: scimsync's requests 50":
            lambda s: s["chat-directories"]["platforms"][1]["scimsync"].update(requests=50),
        "chat-directories: feishu: the peer was refused 3 times":
            lambda s: s["chat-directories"]["platforms"][2]["peer"].update(refused_by_limit=3),
        "chat-directories: dingtalk: the peer's projected requests 1000":
            lambda s: s["chat-directories"]["platforms"][0]["peer_projected"].update(requests=1000, per_api={"user.get": 1000}),
        "chat-directories: wecom: the peer's projected time is not the longer":
            lambda s: s["chat-directories"]["platforms"][1]["peer_projected"].update(seconds_by_sample=500.0),
        "chat-directories: feishu: the time_ratio does not follow":
            lambda s: s["chat-directories"]["platforms"][2].update(time_ratio=1.0),
    }
    status, errors = run({"chat-directories": CHAT}, names=["chat-directories"])
    assert status == 0, f"a complete chat-directories result fails the checks:\n{errors}"
    for expected, change in chat_cases.items():
        scenarios = {"chat-directories": copy.deepcopy(CHAT)}
        change(scenarios)
        status, errors = run(scenarios, names=["chat-directories"])
        assert status == 1 and expected in errors, f"damage '{expected}' not reported (exit {status}):\n{errors}"
    cases.update(chat_cases)
    print(f"run_report checks: {len(cases)} kinds of damage reported, the committed report ({os.path.basename(REPORT)}) passes")


main()
