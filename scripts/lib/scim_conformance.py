"""Helpers of scripts/scim-conformance (run with the checkers' venv python; stdlib only).

  scim_conformance.py wait URL TOKEN PID SECONDS
      Polls GET URL with the bearer token until it answers 200; fails when process PID exits
      first or SECONDS pass.
  scim_conformance.py scim2 LABEL OUTPUT EXIT COUNTS
      Reads the text `scim2 ... test` printed (OUTPUT) and its exit status (EXIT); prints the
      suite's summary line and every non-success; appends "passed failed skipped allowed" to
      COUNTS; exits 1 when the suite did not succeed.
  scim_conformance.py sanity LABEL OUTPUT EXIT COUNTS [--allow-fk-member-refusal]
      The same for the JSON of `scim-sanity probe ... --json-output`.
  scim_conformance.py layout-schemas DIRECTORY
      Writes DIRECTORY/schemas.json and DIRECTORY/service-provider-config.json for scim2-server:
      the RFC 7643 schemas cut down to what the conformance layout maps (the /Schemas a
      server of that layout publishes) and a configuration without bulk, sort, ETags or
      password changes (`scripts/scim-conformance --peer-layout`).

See the header of scripts/scim-conformance for what each checker prints and how it is judged.
"""

import json
import re
import sys
import time
import urllib.error
import urllib.request

# scim2-tester's statuses (scim2_tester.Status); only SUCCESS is a success.
SCIM2_STATUSES = ("SUCCESS", "COMPLIANT", "ACCEPTABLE", "DEVIATION", "ERROR", "CRITICAL", "SKIPPED")
SCIM2_RESULT = re.compile(r"^(%s) (\w+)$" % "|".join(SCIM2_STATUSES))
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# scim-sanity results that are skipped for any server that does not serve the resource types
# of draft-abbey-scim-agent-extension-00 (Agent, AgenticApplication): scimsync serves Users and
# Groups only, so these skips are expected and do not fail the suite.
SANITY_AGENT_SKIPS = {
    "Agent CRUD Lifecycle",
    "AgenticApplication CRUD Lifecycle",
    "Agent Rapid Lifecycle",
}
SANITY_FAKE_MEMBER = "PATCH /Groups/{id} add member"


def wait_ready(url, token, pid, seconds):
    deadline = time.monotonic() + float(seconds)
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ")[-1].startswith("Z"):
                    raise FileNotFoundError
        except FileNotFoundError:
            print(f"the server (pid {pid}) exited before it was ready ({last})", file=sys.stderr)
            return 1
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return 0
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            last = str(getattr(error, "reason", error))
        time.sleep(0.2)
    print(f"{url} did not answer 200 within {seconds} s (last: {last})", file=sys.stderr)
    return 1


def indent(text, prefix="      "):
    return "\n".join(prefix + line for line in text.splitlines())


def report(label, passed, failed, skipped, allowed, problems, notes, counts_path, extra_failure=None):
    total = passed + failed + skipped + allowed
    ok = failed == 0 and skipped == 0 and extra_failure is None
    parts = [f"{passed} passed", f"{failed} failed", f"{skipped} skipped"]
    if allowed:
        parts.append(f"{allowed} allowed")
    print(f"{label}: {total} checks: {', '.join(parts)} -- {'OK' if ok else 'FAILED'}")
    if extra_failure:
        print(indent(extra_failure, "    "))
    for status, title, message in problems:
        print(f"    {status} {title}" + (":" if message else ""))
        if message:
            print(indent(message))
    for note in notes:
        print(indent(note, "    note: "))
    with open(counts_path, "a") as counts:
        # A run that produced no checks at all still counts as one failure.
        counts.write(f"{passed} {failed + (1 if extra_failure and failed == 0 else 0)} {skipped} {allowed}\n")
    return 0 if ok else 1


def parse_scim2(label, output_path, exit_status, counts_path):
    """`scim2 test` prints, after `Performing a SCIM compliance check on URL ...`, one block
    per check: `STATUS title` at the start of a line, then the reason indented by two spaces
    (a reason may span several lines; only its first is indented), then, with --verbose,
    the data. Exit status 0 when every check is SUCCESS, else 1; a server it cannot
    discover ends it early with `Error: Could not discover the server at URL: ...`."""
    text = ANSI.sub("", open(output_path, encoding="utf-8", errors="replace").read())
    results = []
    for line in text.splitlines():
        match = SCIM2_RESULT.match(line)
        if match:
            results.append([match.group(1), match.group(2), []])
        elif results:
            results[-1][2].append(line[2:] if line.startswith("  ") else line)
    passed = sum(1 for status, _, _ in results if status == "SUCCESS")
    skipped = sum(1 for status, _, _ in results if status == "SKIPPED")
    failed = len(results) - passed - skipped
    problems = [(status, title, "\n".join(reason).strip()) for status, title, reason in results if status != "SUCCESS"]
    extra = None
    if not results:
        extra = f"scim2 test exited {exit_status} without reporting a check:\n" + "\n".join(text.strip().splitlines()[-15:])
    elif int(exit_status) != 0 and not problems:
        extra = f"scim2 test exited {exit_status} although every check it printed succeeded:\n" + "\n".join(
            text.strip().splitlines()[-15:])
    return report(label, passed, failed, skipped, 0, problems, [], counts_path, extra)


def parse_sanity(label, output_path, exit_status, counts_path, allow_fk_member_refusal):
    """`scim-sanity probe --json-output` prints one JSON object: scim_sanity_version, mode,
    timestamp, summary {total, passed, failed, warnings, skipped, errors}, issues [{priority,
    title, rationale, fix, affected_tests}] and results [{name, status, message?, phase}] with
    status pass, fail, warn, skip or error. Its own exit status is 1 when a result is fail or
    error (warn and skip do not count there; here they do, except the agent-extension skips)."""
    text = open(output_path, encoding="utf-8", errors="replace").read()
    try:
        document = json.loads(text)
        results = document["results"]
    except (ValueError, KeyError, TypeError):
        extra = f"scim-sanity exited {exit_status} without its JSON report:\n" + "\n".join(text.strip().splitlines()[-15:])
        return report(label, 0, 0, 0, 0, [], [], counts_path, extra)
    passed = failed = skipped = allowed = 0
    problems, notes = [], []
    for result in results:
        status, name, message = result.get("status"), result.get("name", "?"), result.get("message") or ""
        phase = result.get("phase", "")
        title = f"{name} [{phase}]" if phase else name
        if status == "pass":
            passed += 1
        elif status == "skip" and name in SANITY_AGENT_SKIPS:
            allowed += 1
            note = "the Agent and AgenticApplication phases (draft-abbey-scim-agent-extension-00) are skipped: not served"
            if note not in notes:
                notes.append(note)
        elif status == "skip":
            skipped += 1
            problems.append(("SKIP", title, message))
        elif name == SANITY_FAKE_MEMBER and status == "fail" and message.endswith("got 400"):
            hint = ("the member id it adds is \"fake-member-id\", which no user has: a server that checks "
                    "members (or a membership table with foreign keys) refuses it with 400")
            if allow_fk_member_refusal:
                allowed += 1
                notes.append(f"{name}: {message} ({hint}; allowed by --allow-fk-member-refusal)")
            else:
                failed += 1
                problems.append(("FAIL", title, f"{message}\n({hint})"))
        else:
            failed += 1
            problems.append((status.upper() if status else "?", title, message))
    for issue in document.get("issues") or []:
        notes.append(f"scim-sanity says [{issue.get('priority')}] {issue.get('title')}: {issue.get('fix')}")
    extra = None
    if not results:
        extra = "scim-sanity reported no result"
    elif int(exit_status) != 0 and failed == 0 and not any(
        note.endswith("allowed by --allow-fk-member-refusal)") for note in notes
    ):
        # scim-sanity exits 1 for the fake-member refusal too; only an exit it does not
        # explain by a result is a failure.
        extra = f"scim-sanity exited {exit_status} although no result failed"
    return report(label, passed, failed, skipped, allowed, problems, notes, counts_path, extra)


# What the conformance layout of scripts/scim-conformance maps, as published schemas: the
# attributes (and sub-attributes) to keep from scim2-server's RFC 7643 schemas. `groups` of a
# User is read-only (memberships are written through a Group's members); a Group's members
# have no `display`; the `type` of emails and phoneNumbers can only be "work".
LAYOUT_ATTRIBUTES = {
    "urn:ietf:params:scim:schemas:core:2.0:User": {
        "userName": None, "name": ["givenName", "familyName"], "displayName": None, "nickName": None,
        "title": None, "userType": None, "preferredLanguage": None, "active": None,
        "emails": ["value", "type"], "phoneNumbers": ["value", "type"], "groups": None},
    "urn:ietf:params:scim:schemas:core:2.0:Group": {"displayName": None, "members": ["value", "$ref", "type"]},
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": None, "department": None},
}


def layout_schemas(directory):
    import importlib.resources
    import os
    resources = importlib.resources.files("scim2_server") / "resources"
    schemas = json.loads((resources / "default-schemas.json").read_text())
    kept = []
    for schema in schemas:
        wanted = LAYOUT_ATTRIBUTES.get(schema["id"])
        if wanted is None:
            continue
        attributes = []
        for attribute in schema["attributes"]:
            if attribute["name"] not in wanted:
                continue
            subs = wanted[attribute["name"]]
            if subs is not None:
                attribute["subAttributes"] = [s for s in attribute["subAttributes"] if s["name"] in subs]
                for sub in attribute["subAttributes"]:
                    if sub["name"] == "type" and attribute["name"] in ("emails", "phoneNumbers"):
                        sub["canonicalValues"] = ["work"]
            attributes.append(attribute)
        schema["attributes"] = attributes
        kept.append(schema)
    config = json.loads((resources / "default-service-provider-config.json").read_text())
    config["bulk"] = {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
    config["sort"] = {"supported": False}
    config["etag"] = {"supported": False}
    config["changePassword"] = {"supported": False}
    with open(os.path.join(directory, "schemas.json"), "w") as file:
        json.dump(kept, file, indent=1)
    with open(os.path.join(directory, "service-provider-config.json"), "w") as file:
        json.dump(config, file, indent=1)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "layout-schemas":
        return layout_schemas(argv[1])
    if len(argv) >= 5 and argv[0] == "wait":
        return wait_ready(argv[1], argv[2], argv[3], argv[4])
    if len(argv) == 5 and argv[0] == "scim2":
        return parse_scim2(*argv[1:])
    if len(argv) in (5, 6) and argv[0] == "sanity":
        return parse_sanity(*argv[1:5], allow_fk_member_refusal=argv[5:] == ["--allow-fk-member-refusal"])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
