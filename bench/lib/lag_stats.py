"""Lag figures of one bench/replication-lag step, as one JSON line.

usage: lag_stats.py COMMITS ARRIVALS FIRST_ID TOTAL BATCH

COMMITS: lines "tx<TAB>COMMIT issued<TAB>COMMIT returned" (unix seconds, the writer's clock);
ARRIVALS: lines "id<TAB>unix seconds" (the target trigger's time for each row that arrived).
The achieved rate counts the rows after the first transaction over the time from its commit
to the last one. Row id belongs to transaction (id - FIRST_ID) // BATCH. The lag of a row is its arrival
minus the time its transaction's COMMIT was issued: an upper bound, since the binlog event
can reach scimsync before COMMIT returns to the writer.

The result also holds the lag over time ("series", for bench/plot): per quarter second of
the writing (by the time the transaction's COMMIT was issued, from the first one), the rows
that arrived, their p50 and their maximum lag in milliseconds.
"""

import json
import sys

BUCKET_SECONDS = 0.25


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


def main():
    commits_path, arrivals_path = sys.argv[1], sys.argv[2]
    first_id, total, batch = (int(value) for value in sys.argv[3:6])
    commits = {}
    commit_ms = []
    with open(commits_path) as lines:
        for line in lines:
            tx, issued, returned = line.split()
            commits[int(tx)] = float(issued)
            commit_ms.append((float(returned) - float(issued)) * 1000)
    commit_ms.sort()
    lags = []
    buckets = {}
    started = min(commits.values()) if commits else 0
    with open(arrivals_path) as lines:
        for line in lines:
            row_id, at = line.split()
            row_id = int(row_id)
            if not first_id <= row_id < first_id + total:
                continue
            issued = commits[(row_id - first_id) // batch]
            lag = (float(at) - issued) * 1000
            lags.append(lag)
            buckets.setdefault(int((issued - started) / BUCKET_SECONDS), []).append(lag)
    lags.sort()
    series = []
    for bucket in sorted(buckets):
        values = sorted(buckets[bucket])
        series.append([round(bucket * BUCKET_SECONDS, 2), len(values), round(percentile(values, 0.50), 2), round(values[-1], 2)])
    written_seconds = max(commits.values()) - min(commits.values()) if len(commits) > 1 else 0
    result = {
        "rows": total,
        "arrived": len(lags),
        "transactions": len(commits),
        "achieved_rows_per_second": round((total - batch) / written_seconds) if written_seconds > 0 else None,
        "lag_ms_p50": round(percentile(lags, 0.50), 2) if lags else None,
        "lag_ms_p95": round(percentile(lags, 0.95), 2) if lags else None,
        "lag_ms_p99": round(percentile(lags, 0.99), 2) if lags else None,
        "lag_ms_max": round(lags[-1], 2) if lags else None,
        "lag_ms_min": round(lags[0], 2) if lags else None,
        "source_commit_ms_p50": round(percentile(commit_ms, 0.50), 3) if commit_ms else None,
        "source_commit_ms_p99": round(percentile(commit_ms, 0.99), 3) if commit_ms else None,
        "series_columns": ["second", "rows", "lag_ms_p50", "lag_ms_max"],
        "series": series,
    }
    print(json.dumps(result))


main()
