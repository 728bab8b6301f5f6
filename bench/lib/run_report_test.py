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
        "python-mysql-replication saw other row counts":
            lambda s: s["binlog-decode"]["python_mysql_replication"]["runs"][0].update(rows=1),
        "does not follow from the times": lambda s: s["initial-load"].update(ratio=9.99),
        "drift_dry_run exited 0": lambda s: s["reconcile"]["scimsync"]["drift_dry_run"].update(exit=0),
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
    print(f"run_report checks: {len(cases)} kinds of damage reported, the committed report ({os.path.basename(REPORT)}) passes")


main()
