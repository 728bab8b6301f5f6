"""Helpers of bench/chat-directories.

    chat_directories.py generate USERS SEED FILE    # the neutral directory; prints what the target must hold
    chat_directories.py check DB EXPECTED_JSON      # the SQLite target's rows against it; exit 1 on a mismatch
    chat_directories.py report WORK USERS SAVE ROOT PLATFORM...   # the table and the JSON

The directory: departments three levels deep under the root (tops of ten middles of ten
leaves), 100 users per leaf, and every tenth user also in a middle department. Ids are numeric
text (DingTalk's and WeCom's department ids are numbers), the root is "1" and is no group in the
target, mobiles and e-mails unique.
"""
import datetime
import json
import math
import os
import random
import sqlite3
import sys


def generate(users, seed, path):
    rng = random.Random(seed)
    leaves = max(1, math.ceil(users / 100))
    middles = math.ceil(leaves / 10)
    tops = math.ceil(middles / 10)
    departments, next_id = [], 2
    top_ids, middle_ids, leaf_ids = [], [], []
    for t in range(tops):
        departments.append({"id": str(next_id), "name": f"Division {t + 1}", "parent": "1", "order": t + 1})
        top_ids.append(str(next_id))
        next_id += 1
    for m in range(middles):
        parent = top_ids[m // 10]
        departments.append({"id": str(next_id), "name": f"Department {m + 1}", "parent": parent, "order": m % 10 + 1})
        middle_ids.append(str(next_id))
        next_id += 1
    for leaf in range(leaves):
        parent = middle_ids[leaf // 10]
        departments.append({"id": str(next_id), "name": f"Team {leaf + 1}", "parent": parent, "order": leaf % 10 + 1})
        leaf_ids.append(str(next_id))
        next_id += 1
    titles = ["Engineer", "Accountant", "Sales lead", "Designer", "Support", "Manager"]
    people, memberships = [], 0
    for i in range(users):
        leaf = leaf_ids[i // 100]
        depts = [leaf]
        if i % 10 == 0:
            # A second department: a middle department other than the leaf's own parent.
            other = middle_ids[rng.randrange(len(middle_ids))]
            if other != departments[int(leaf) - 2]["parent"]:
                depts.append(other)
        memberships += len(depts)
        people.append({"id": f"u{i:06d}", "name": f"User {i}", "mobile": f"+86 1{3800000000 + i}",
                       "email": f"u{i:06d}@example.com", "departments": depts, "title": rng.choice(titles),
                       "active": True})
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"departments": departments, "users": people}, file, ensure_ascii=False)
    print(json.dumps({"users": users, "groups": len(departments), "memberships": memberships}))


def check(db, expected_json):
    expected = json.loads(expected_json)
    connection = sqlite3.connect(db)
    found = {
        "users": connection.execute("SELECT COUNT(*) FROM portal_users").fetchone()[0],
        "groups": connection.execute("SELECT COUNT(*) FROM portal_groups").fetchone()[0],
        "memberships": connection.execute("SELECT COUNT(*) FROM portal_memberships").fetchone()[0],
    }
    print(json.dumps(found))
    if found != expected:
        sys.exit(f"bench: the target holds {found}, the directory {expected}")


def least_seconds(calls, windows):
    """The least time `calls` calls to one API take under every window (count, seconds): the
    first `count` at once, the next when the window has passed."""
    return max((math.floor((calls - 1) / count) * seconds for count, seconds in windows), default=0.0) if calls > 0 else 0.0


def project(peer, users):
    """The peer's requests and time for the whole directory, from its sample: per-department and
    per-user APIs scale with the users; those made once per read (fixed) were made in full."""
    scale = users / peer["users"]
    requests = {api: (count if api in peer["fixed_apis"] else math.ceil(count * scale))
                for api, count in peer["requests"].items()}
    unlimited = {"dingtalk.oapi.gettoken", "gettoken", "auth.v3.tenant_access_token.internal"}
    # One thread, one API after another: the least time each API's calls take, added up; never
    # less than the sample's own time scaled per user (below its limits a client is bound by
    # its round trips, as WeCom's minute window allows a small directory in one burst).
    by_limits = sum(least_seconds(count, peer["limits"]) for api, count in requests.items() if api not in unlimited)
    by_sample = peer["seconds"] * scale
    return requests, round(by_limits, 1), round(by_sample, 1)


def report(work, users, save, root, platforms):
    rows = []
    for platform in platforms:
        with open(os.path.join(work, f"{platform}.json")) as file:
            rows.append(json.load(file))
    print()
    print(f"chat-directories: a full read of {users:,} users per platform at its documented rate limits; "
          f"the peer (one user/get per user) read {rows[0]['peer']['users']:,} users, projected to {users:,}")
    print(f"{'platform':<9} {'users':>8} {'scimsync req':>12} {'scimsync s':>10} {'peer req (proj)':>15} "
          f"{'peer s (proj)':>13} {'req ratio':>9} {'time ratio':>10}")
    for row in rows:
        print(f"{row['platform']:<9} {row['users']:>8,} {row['scimsync']['requests']:>12,} {row['scimsync']['seconds']:>10.1f} "
              f"{row['peer_projected']['requests']:>15,} {row['peer_projected']['seconds']:>13.1f} "
              f"{row['requests_ratio']:>8.1f}x {row['time_ratio']:>9.1f}x")
    for row in rows:
        peer = row["peer"]
        print(f"  {row['platform']}: peer sample {peer['users']:,} users, {sum(peer['requests'].values()):,} requests, "
              f"{peer['seconds']:.1f} s measured; scimsync per API {row['scimsync']['per_api']}, "
              f"peak RSS {row['scimsync']['peak_rss_kib'] / 1024:.1f} MiB")
    result = {"scenario": "chat-directories", "users": users, "platforms": rows}
    path = os.environ.get("BENCH_RESULT")
    if save and not path:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = os.path.join(root, "bench", "results", f"chat-directories-{stamp}.json")
    if path:
        with open(path, "w") as file:
            json.dump(result, file, indent=2)
        print(f"bench: saved {path}")


def platform_result(platform, users, expected, ours, counts, peer, peer_counts):
    """One platform's result: scimsync's measured read, the peer's sample and its projection."""
    expected, ours, counts, peer, peer_counts = (json.loads(x) for x in (expected, ours, counts, peer, peer_counts))
    # The peer counted its own requests; the simulator must have seen exactly those.
    if peer["requests"] != peer_counts["counts"]:
        sys.exit(f"bench: {platform}: the peer counted {peer['requests']}, the simulator {peer_counts['counts']}")
    requests, by_limits, by_sample = project(peer, users)
    seconds = max(by_limits, by_sample)
    ours_requests = counts["total"]
    result = {
        "platform": platform, "users": users, "expected": expected,
        "scimsync": {"requests": ours_requests, "seconds": ours["seconds"], "peak_rss_kib": ours["peak_rss_kib"],
                     "per_api": counts["counts"],
                     "rate_limited": counts["rateLimited"], "target": ours["target"]},
        "peer": peer,
        "peer_projected": {"requests": sum(requests.values()), "seconds": seconds, "per_api": requests,
                           "seconds_by_limits": by_limits, "seconds_by_sample": by_sample,
                           "note": "PROJECTED from the sample: requests per department and per user scaled to "
                                   "the directory; time the least the documented limits allow for them, or the "
                                   "sample's own time scaled per user when that is longer"},
    }
    result["requests_ratio"] = round(result["peer_projected"]["requests"] / ours_requests, 1)
    result["time_ratio"] = round(seconds / ours["seconds"], 1)
    print(json.dumps(result))


def main():
    command = sys.argv[1]
    if command == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif command == "check":
        check(sys.argv[2], sys.argv[3])
    elif command == "result":
        platform_result(sys.argv[2], int(sys.argv[3]), *sys.argv[4:9])
    elif command == "report":
        report(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
