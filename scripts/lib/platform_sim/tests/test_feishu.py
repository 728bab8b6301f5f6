"""The Feishu simulator, driven by Feishu's own Python SDK (lark-oapi) wherever it covers the
endpoint, and by plain HTTP for what a client would never send (missing or forged tokens).
Events are received by a small local HTTP server that hands them to lark-oapi's
EventDispatcherHandler, which decrypts them and checks their signature and token."""

import json
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Installed by scripts/platform-sim-test (scripts/lib/platform-sim-clients.sh): a missing
# client fails these tests rather than skipping them.
import lark_oapi as lark
from lark_oapi.api.contact.v3 import (BatchGetIdUserRequest, BatchGetIdUserRequestBody, ChildrenDepartmentRequest, CreateDepartmentRequest, CreateUserRequest,
                                      DeleteDepartmentRequest, DeleteUserRequest, Department,
                                      FindByDepartmentUserRequest, GetDepartmentRequest, GetUserRequest,
                                      PatchDepartmentRequest, PatchUserRequest, User)
from lark_oapi.core.exception import ObtainAccessTokenException
from lark_oapi.core.model import RawRequest
from lark_oapi.core.token.manager import TokenManager

from platform_sim import feishu

WAIT = 20.0  # bound on waiting for a delivery on a loaded 2-core machine


def five_level_tree(users_per_leaf=4):
    """3 top departments, each level below with 2 children down to level 5 (93 departments), and
    users in every department (some in two)."""
    departments, users = [], []
    level = [("1", None)]
    for depth in range(1, 6):
        next_level = []
        for parent, _ in level:
            for index in range(3 if depth == 1 else 2):
                dept_id = f"d{depth}{parent[1:] if parent != '1' else ''}{index}"
                departments.append({"id": dept_id, "name": f"Dept {dept_id}", "parent": parent, "order": index + 1})
                next_level.append((dept_id, parent))
        level = next_level
    for position, department in enumerate(departments):
        for index in range(users_per_leaf if department["id"].startswith("d5") else 2):
            number = len(users)
            extra = [departments[(position + 7) % len(departments)]["id"]] if number % 5 == 0 else []
            users.append({"id": f"u{number:04d}", "name": f"User {number}", "mobile": f"+86 138{number:08d}",
                          "email": f"u{number}@example.com", "departments": [department["id"], *extra],
                          "title": "Engineer", "active": number % 11 != 0})
    return {"departments": departments, "users": users}


class FeishuSimTestCase(unittest.TestCase):
    overrides: dict = {}

    def setUp(self):
        self.platform, self.server, self.base = feishu.serve_in_thread(**self.overrides)
        # lark-oapi caches tenant tokens per app id across clients; each test has its own simulator.
        TokenManager.cache.cache.clear()
        self.client = self.lark_client()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def lark_client(self, secret=None):
        return (lark.Client.builder().app_id(self.platform.options.app_id)
                .app_secret(secret or self.platform.options.app_secret)
                .domain(self.base).log_level(lark.LogLevel.CRITICAL).build())

    def http(self, method, path, body=None, headers=None):
        request = urllib.request.Request(self.base + path, method=method, headers=headers or {},
                                         data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read()), answer.headers
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), error.headers

    def load(self, directory):
        self.assertEqual(self.http("POST", "/_sim/load", directory)[0], 200)

    def state(self):
        return self.http("GET", "/_sim/state")[1]

    def counts(self):
        return self.http("GET", "/_sim/requests")[1]["counts"]


class TokenTests(FeishuSimTestCase):
    overrides = {"token_ttl": 7200}

    def test_the_same_token_while_thirty_minutes_remain_and_wrong_secrets_refused(self):
        body = {"app_id": self.platform.options.app_id, "app_secret": self.platform.options.app_secret}
        status, first, _ = self.http("POST", "/open-apis/auth/v3/tenant_access_token/internal", body)
        self.assertEqual((status, first["code"], first["msg"]), (200, 0, "ok"))
        self.assertTrue(first["tenant_access_token"].startswith("t-"))
        self.assertLessEqual(first["expire"], 7200)
        self.assertGreater(first["expire"], 7000)
        again = self.http("POST", "/open-apis/auth/v3/tenant_access_token/internal", body)[1]
        self.assertEqual(again["tenant_access_token"], first["tenant_access_token"])
        wrong = self.http("POST", "/open-apis/auth/v3/tenant_access_token/internal", dict(body, app_secret="wrong"))[1]
        self.assertEqual((wrong["code"], wrong["msg"]), (10014, "app secret invalid"))
        unknown = self.http("POST", "/open-apis/auth/v3/tenant_access_token/internal", dict(body, app_id="cli_x"))[1]
        self.assertEqual(unknown["code"], 10003)

    def test_the_sdk_with_a_wrong_secret_gets_no_token(self):
        with self.assertRaises(ObtainAccessTokenException) as caught:
            self.lark_client("not-the-secret").contact.v3.department.get(GetDepartmentRequest.builder().department_id("0").build())
        self.assertEqual(caught.exception.code, 10014)

    def test_missing_malformed_forged_and_expired_tokens(self):
        path = "/open-apis/contact/v3/departments/0/children"
        cases = [({}, 99991661), ({"Authorization": "Bearer abc"}, 99991671),
                 ({"Authorization": "Bearer t-forged"}, 99991663)]
        for headers, code in cases:
            status, body, _ = self.http("GET", path, headers=headers)
            self.assertEqual((status, body["code"]), (400, code), headers)
        token = self.http("POST", "/open-apis/auth/v3/tenant_access_token/internal",
                          {"app_id": self.platform.options.app_id, "app_secret": self.platform.options.app_secret})[1]["tenant_access_token"]
        self.assertEqual(self.http("GET", path, headers={"Authorization": "Bearer " + token})[1]["code"], 0)
        self.http("POST", "/_sim/expire-tokens", {})
        status, body, _ = self.http("GET", path, headers={"Authorization": "Bearer " + token})
        self.assertEqual((status, body["code"]), (400, 99991663))
        fresh = self.http("POST", "/open-apis/auth/v3/tenant_access_token/internal",
                          {"app_id": self.platform.options.app_id, "app_secret": self.platform.options.app_secret})[1]
        self.assertNotEqual(fresh["tenant_access_token"], token, "an expired token is not handed out again")


class ListingTests(FeishuSimTestCase):
    def setUp(self):
        super().setUp()
        self.directory = five_level_tree()
        self.load(self.directory)
        # These walks would exceed 50 requests/s on a quiet machine; RateLimitTests covers limits.
        self.http("POST", "/_sim/rate-limit", {"api": "*"})

    def children(self, department_id, page_size, fetch_child=False):
        names, token, pages = [], None, 0
        while True:
            builder = (ChildrenDepartmentRequest.builder().department_id(department_id).department_id_type("department_id")
                       .user_id_type("user_id").fetch_child(fetch_child).page_size(page_size))
            if token:
                builder = builder.page_token(token)
            answer = self.client.contact.v3.department.children(builder.build())
            self.assertEqual(answer.code, 0, answer.msg)
            pages += 1
            names.extend(answer.data.items or [])
            if not answer.data.has_more:
                return names, pages
            token = answer.data.page_token

    def members(self, department_id, page_size, on_page=None):
        found, token = [], None
        while True:
            builder = (FindByDepartmentUserRequest.builder().department_id(department_id).department_id_type("department_id")
                       .user_id_type("user_id").page_size(page_size))
            if token:
                builder = builder.page_token(token)
            answer = self.client.contact.v3.user.find_by_department(builder.build())
            if on_page is not None:
                answer = on_page(answer, builder.build()) or answer
            self.assertEqual(answer.code, 0, answer.msg)
            found.extend(answer.data.items or [])
            if not answer.data.has_more:
                return found
            token = answer.data.page_token

    def test_walking_a_five_level_tree_one_level_at_a_time_finds_every_department_and_user(self):
        seen, queue = {}, ["0"]
        while queue:
            parent = queue.pop(0)
            items, _ = self.children(parent, page_size=2)
            for item in items:
                self.assertEqual(item.parent_department_id, parent)
                seen[item.department_id] = item
                queue.append(item.department_id)
        expected = {d["id"]: d for d in self.directory["departments"]}
        self.assertEqual(set(seen), set(expected))
        self.assertEqual({k: v.name for k, v in seen.items()}, {k: v["name"] for k, v in expected.items()})
        users = {}
        for department_id in ["0", *seen]:
            for user in self.members(department_id, page_size=3):
                self.assertIn(department_id, user.department_ids)
                users.setdefault(user.user_id, user)
        self.assertEqual(len(users), len(self.directory["users"]))
        for entry in self.directory["users"]:
            user = users[entry["id"]]
            self.assertEqual((user.name, user.email, user.mobile, user.job_title, user.status.is_frozen),
                             (entry["name"], entry["email"], entry["mobile"].replace(" ", ""), entry["title"], not entry["active"]))
            self.assertEqual(sorted(user.department_ids), sorted(entry["departments"]))
            self.assertTrue(user.open_id.startswith("ou_") and user.union_id.startswith("on_"))
        self.assertGreater(self.counts()[feishu.API_USER_FIND], len(seen))

    def test_fetch_child_lists_every_descendant_and_default_ids_are_open_ids(self):
        items, pages = self.children("0", page_size=50, fetch_child=True)
        self.assertEqual(len(items), len(self.directory["departments"]))
        self.assertEqual(pages, 2)
        answer = self.client.contact.v3.department.children(ChildrenDepartmentRequest.builder().department_id("0").build())
        self.assertEqual(len(answer.data.items), 3, "page_size defaults to 10 and the root has 3 children")
        first = answer.data.items[0]
        self.assertTrue(first.open_department_id.startswith("od-"))
        self.assertEqual(first.order, "1")
        nested = self.client.contact.v3.department.children(
            ChildrenDepartmentRequest.builder().department_id(first.open_department_id).build())
        self.assertEqual({d.parent_department_id for d in nested.data.items}, {first.open_department_id})
        got = self.client.contact.v3.department.get(GetDepartmentRequest.builder().department_id(first.open_department_id).build())
        self.assertEqual((got.code, got.data.department.department_id), (0, first.department_id))
        self.assertEqual(got.data.department.member_count,
                         len({u["id"] for u in self.directory["users"] for d in u["departments"] if d.startswith("d")
                              and self._under(d, first.department_id)}))
        missing = self.client.contact.v3.department.get(GetDepartmentRequest.builder().department_id("od-0123").build())
        self.assertEqual((missing.raw.status_code, missing.code), (400, 40015))

    def _under(self, department_id, ancestor):
        parents = {d["id"]: d["parent"] for d in self.directory["departments"]}
        while department_id in parents:
            if department_id == ancestor:
                return True
            department_id = parents[department_id]
        return False

    def test_page_size_and_page_token_are_checked(self):
        answer = self.client.contact.v3.user.find_by_department(
            FindByDepartmentUserRequest.builder().department_id("0").page_size(51).build())
        self.assertEqual((answer.raw.status_code, answer.code), (400, 40011))
        answer = self.client.contact.v3.user.find_by_department(
            FindByDepartmentUserRequest.builder().department_id("0").page_token("not-a-token").build())
        self.assertEqual(answer.code, 40012)
        answer = self.client.contact.v3.user.find_by_department(
            FindByDepartmentUserRequest.builder().department_id("nope").department_id_type("department_id").build())
        self.assertEqual((answer.raw.status_code, answer.code), (403, 40004))

    def test_a_token_expiring_mid_listing_is_refused_and_the_page_token_still_resumes(self):
        department = next(d["id"] for d in self.directory["departments"] if d["id"].startswith("d5"))
        expected = sorted(u["id"] for u in self.directory["users"] if department in u["departments"])
        self.assertGreater(len(expected), 2)
        refused = []

        def on_page(answer, request):
            if not refused and answer.data.has_more:
                self.http("POST", "/_sim/expire-tokens", {})
                refused.append(True)
                return None
            if len(refused) == 1:
                self.assertEqual((answer.raw.status_code, answer.code), (400, 99991663))
                refused.append(True)
                TokenManager.cache.cache.clear()  # what a client does on 99991663: fetch a new token
                return self.client.contact.v3.user.find_by_department(request)
            return None

        found = self.members(department, page_size=2, on_page=on_page)
        self.assertEqual(len(refused), 2, "the token expired between pages")
        self.assertEqual(sorted(u.user_id for u in found), expected)
        self.assertEqual(self.http("GET", "/_sim/requests")[1]["tokensIssued"], 2)

    def test_users_joining_between_pages_neither_repeat_nor_hide_the_others(self):
        department = "d10"
        before = sorted(u["id"] for u in self.directory["users"] if department in u["departments"])
        pages = []

        def on_page(answer, _):
            pages.append(answer)
            if len(pages) == 1:
                self.http("POST", "/_sim/admin/create_user", {"id": "late", "name": "Late", "mobile": "+86 13900000000",
                                                             "departments": [department]})
            return None

        found = [u.user_id for u in self.members(department, page_size=1, on_page=on_page)]
        self.assertEqual(sorted(found), sorted(before + ["late"]))
        self.assertEqual(len(found), len(set(found)))


class RateLimitTests(FeishuSimTestCase):
    def test_a_rate_limited_call_says_99991400_with_http_429_and_when_to_retry(self):
        self.load(five_level_tree(1))
        # A per-minute window keeps the burst below refused however slow this machine is.
        status, limits, _ = self.http("POST", "/_sim/rate-limit", {"api": feishu.API_USER_FIND, "per_minute": 3})
        self.assertEqual(limits["limits"][feishu.API_USER_FIND], [[3.0, 60.0]])
        request = FindByDepartmentUserRequest.builder().department_id("0").build()
        answers = [self.client.contact.v3.user.find_by_department(request) for _ in range(4)]
        self.assertEqual([a.code for a in answers[:3]], [0, 0, 0])
        limited = answers[3]
        self.assertEqual((limited.raw.status_code, limited.code, limited.msg), (429, 99991400, "request trigger frequency limit"))
        headers = {k.lower(): v for k, v in limited.raw.headers.items()}
        self.assertEqual(headers["x-ogw-ratelimit-limit"], "3")
        reset = int(headers["x-ogw-ratelimit-reset"])
        self.assertTrue(1 <= reset <= 20, reset)  # one request comes back every 20 s
        # Other APIs have their own buckets.
        self.assertEqual(self.client.contact.v3.department.children(
            ChildrenDepartmentRequest.builder().department_id("0").build()).code, 0)
        self.assertEqual(self.http("GET", "/_sim/requests")[1]["rateLimited"], 1)

    def test_waiting_the_advised_seconds_is_enough(self):
        self.http("POST", "/_sim/rate-limit", {"api": feishu.API_DEPT_GET, "per_second": 1})
        request = GetDepartmentRequest.builder().department_id("0").build()
        deadline = time.monotonic() + WAIT
        while True:  # on a slow machine the bucket may refill between calls; bounded
            answer = self.client.contact.v3.department.get(request)
            if answer.code == 99991400 or time.monotonic() > deadline:
                break
        self.assertEqual(answer.code, 99991400)
        time.sleep(int(answer.raw.headers["x-ogw-ratelimit-reset"]))  # the wait the platform advises
        self.assertEqual(self.client.contact.v3.department.get(request).code, 0)

    def test_buckets_are_per_app(self):
        self.platform.apps["cli_second_app_0001"] = "second-secret"
        self.http("POST", "/_sim/rate-limit", {"api": "*", "per_minute": 1})
        first = self.client.contact.v3.department.children(ChildrenDepartmentRequest.builder().department_id("0").build())
        again = self.client.contact.v3.department.children(ChildrenDepartmentRequest.builder().department_id("0").build())
        self.assertEqual((first.code, again.code), (0, 99991400))
        other = (lark.Client.builder().app_id("cli_second_app_0001").app_secret("second-secret")
                 .domain(self.base).log_level(lark.LogLevel.CRITICAL).build())
        self.assertEqual(other.contact.v3.department.children(ChildrenDepartmentRequest.builder().department_id("0").build()).code, 0)

    def test_injected_faults_answer_in_feishus_shape(self):
        self.http("POST", "/_sim/fault", {"api": feishu.API_USER_GET, "times": 1,
                                          "answer": {"code": 40003, "msg": "internal error", "_status": 500}})
        request = GetUserRequest.builder().user_id("nobody").build()
        faulty = self.client.contact.v3.user.get(request)
        self.assertEqual((faulty.raw.status_code, faulty.code), (500, 40003))
        self.assertEqual(self.client.contact.v3.user.get(request).code, 41050)

    def test_default_limits_are_the_documented_tier(self):
        self.assertEqual(self.platform.limiter.limits["*"], [(50, 1.0), (1000, 60.0)])


class WriteRuleTests(FeishuSimTestCase):
    def setUp(self):
        super().setUp()
        self.load({"departments": [{"id": "2", "name": "Sales", "parent": "1", "order": 1},
                                   {"id": "3", "name": "East", "parent": "2", "order": 1}],
                   "users": [{"id": "zhangsan", "name": "张三", "mobile": "+86 13800000000", "email": "z@example.com",
                              "departments": ["2"], "title": "Engineer", "active": True}]})

    def create_user(self, **fields):
        body = {"name": "李四", "mobile": "+8613800000001", "email": "l@example.com", "department_ids": ["3"], "employee_type": 1}
        body.update(fields)
        user = User(body)
        request = (CreateUserRequest.builder().user_id_type("user_id").department_id_type("department_id")
                   .request_body(user).build())
        return self.client.contact.v3.user.create(request)

    def test_a_user_is_created_and_uniqueness_and_department_rules_hold(self):
        created = self.create_user(user_id="lisi")
        self.assertEqual(created.code, 0, created.msg)
        self.assertEqual((created.data.user.user_id, created.data.user.department_ids), ("lisi", ["3"]))
        refusals = [
            (dict(user_id="lisi", mobile="+8613800000009", email="x@example.com"), 400, 41011),
            (dict(user_id="x1", mobile="13800000000", email="x@example.com"), 400, 41001),  # +86 is the default
            (dict(user_id="x2", mobile="+8613800000009", email="Z@example.com"), 400, 41002),
            (dict(user_id="x3", mobile="+8613800000009", email="x@example.com", department_ids=[]), 400, 41017),
            (dict(user_id="x4", mobile="+8613800000009", email="x@example.com", department_ids=["nope"]), 403, 40004),
            (dict(user_id="x5", mobile=None, email="x@example.com"), 400, 41010),
            (dict(user_id="x6", mobile="+8613800000009", email="not-an-email"), 400, 41005),
            (dict(user_id="x7", mobile="+8613800000009", email="x@example.com", employee_type=None), 400, 41059),
            (dict(user_id="x8", mobile="+8613800000009", email="x@example.com", name=""), 400, 41006),
        ]
        for fields, status, code in refusals:
            answer = self.create_user(**fields)
            self.assertEqual((answer.raw.status_code, answer.code), (status, code), fields)
        self.assertEqual([u["id"] for u in self.state()["users"]], ["zhangsan", "lisi"])

    def test_fifty_departments_at_most(self):
        for index in range(51):
            self.http("POST", "/_sim/admin/create_department", {"id": f"m{index}", "name": f"M{index}", "parent": "1"})
        answer = self.create_user(user_id="many", department_ids=[f"m{i}" for i in range(51)])
        self.assertEqual(answer.code, 41033)
        self.assertEqual(self.create_user(user_id="many", department_ids=[f"m{i}" for i in range(50)]).code, 0)
        # An update past the cap is refused the same way, and changes nothing of the user.
        patch = (PatchUserRequest.builder().user_id("many").user_id_type("user_id").department_id_type("department_id")
                 .request_body(User({"department_ids": [f"m{i}" for i in range(51)], "job_title": "Lead"})).build())
        self.assertEqual(self.client.contact.v3.user.patch(patch).code, 41033)
        user = next(u for u in self.state()["users"] if u["id"] == "many")
        self.assertEqual((sorted(user["departments"]), user["title"]), (sorted(f"m{i}" for i in range(50)), ""))

    def test_memberships_change_through_patch_and_a_user_keeps_one_department(self):
        request = (PatchUserRequest.builder().user_id("zhangsan").user_id_type("user_id").department_id_type("department_id")
                   .request_body(User({"department_ids": ["2", "3"], "job_title": "Lead", "is_frozen": True})).build())
        answer = self.client.contact.v3.user.patch(request)
        self.assertEqual(answer.code, 0, answer.msg)
        user = self.state()["users"][0]
        self.assertEqual((user["departments"], user["title"], user["active"]), (["2", "3"], "Lead", False))
        empty = (PatchUserRequest.builder().user_id("zhangsan").user_id_type("user_id")
                 .request_body(User({"department_ids": []})).build())
        self.assertEqual(self.client.contact.v3.user.patch(empty).code, 41017)
        self.create_user(user_id="lisi")
        taken = (PatchUserRequest.builder().user_id("lisi").user_id_type("user_id")
                 .request_body(User({"mobile": "+8613800000000"})).build())
        self.assertEqual(self.client.contact.v3.user.patch(taken).code, 41001)
        members = self.client.contact.v3.user.find_by_department(
            FindByDepartmentUserRequest.builder().department_id("3").department_id_type("department_id").user_id_type("user_id").build())
        self.assertEqual(sorted(u.user_id for u in members.data.items), ["lisi", "zhangsan"])

    def test_ids_are_found_by_email_and_mobile(self):
        body = BatchGetIdUserRequestBody({"emails": ["Z@example.com", "nobody@example.com"], "mobiles": ["13800000000"]})
        answer = self.client.contact.v3.user.batch_get_id(
            BatchGetIdUserRequest.builder().user_id_type("user_id").request_body(body).build())
        self.assertEqual(answer.code, 0, answer.msg)
        self.assertEqual([(u.email, u.mobile, u.user_id) for u in answer.data.user_list],
                         [("Z@example.com", None, "zhangsan"), ("nobody@example.com", None, None), (None, "13800000000", "zhangsan")])

    def test_users_are_deleted_and_then_unknown(self):
        open_id = self.client.contact.v3.user.get(GetUserRequest.builder().user_id("zhangsan").user_id_type("user_id").build()).data.user.open_id
        self.assertEqual(self.client.contact.v3.user.delete(DeleteUserRequest.builder().user_id(open_id).build()).code, 0)
        gone = self.client.contact.v3.user.get(GetUserRequest.builder().user_id(open_id).build())
        self.assertEqual(gone.code, 41050)
        self.assertEqual(self.state()["users"], [])

    def create_department(self, **fields):
        body = {"name": "West", "parent_department_id": "2"}
        body.update(fields)
        request = (CreateDepartmentRequest.builder().department_id_type("department_id")
                   .request_body(Department(body)).build())
        return self.client.contact.v3.department.create(request)

    def test_department_names_ids_order_and_depth_rules(self):
        created = self.create_department(department_id="west", order="2")
        self.assertEqual(created.code, 0, created.msg)
        self.assertEqual((created.data.department.parent_department_id, created.data.department.department_id), ("2", "west"))
        refusals = [(dict(name="a/b"), 43029), (dict(name="East"), 43022), (dict(name="North", order="2"), 43005),
                    (dict(name="North", department_id="-bad"), 43008), (dict(name="North", department_id="od-x"), 43008), (dict(name="North", department_id="west"), 43007),
                    (dict(name=""), 40008), (dict(name="North", parent_department_id="nope"), 40004)]
        for fields, code in refusals:
            self.assertEqual(self.create_department(**fields).code, code, fields)
        parent = "3"
        for level in range(3, 26):  # Sales(1) > East(2) > L3 .. L25
            answer = self.create_department(name=f"L{level}", department_id=f"l{level}", parent_department_id=parent)
            self.assertEqual(answer.code, 0, (level, answer.msg))
            parent = f"l{level}"
        self.assertEqual(self.create_department(name="L26", parent_department_id=parent).code, 43019)

    def test_moves_and_deletes_follow_the_tree(self):
        move_under_child = (PatchDepartmentRequest.builder().department_id("2").department_id_type("department_id")
                            .request_body(Department({"parent_department_id": "3"})).build())
        self.assertEqual(self.client.contact.v3.department.patch(move_under_child).code, 40013)
        delete = lambda d: self.client.contact.v3.department.delete(  # noqa: E731
            DeleteDepartmentRequest.builder().department_id(d).department_id_type("department_id").build())
        self.assertEqual(delete("0").code, 40002)
        self.assertEqual(delete("2").code, 43011, "Sales has a member")
        patch = (PatchUserRequest.builder().user_id("zhangsan").user_id_type("user_id").department_id_type("department_id")
                 .request_body(User({"department_ids": ["0"]})).build())
        self.assertEqual(self.client.contact.v3.user.patch(patch).code, 0)
        self.assertEqual(delete("2").code, 43012, "Sales has a child")
        move = (PatchDepartmentRequest.builder().department_id("3").department_id_type("department_id")
                .request_body(Department({"parent_department_id": "0", "name": "East Region"})).build())
        self.assertEqual(self.client.contact.v3.department.patch(move).code, 0)
        self.assertEqual(delete("2").code, 0)
        self.assertEqual(self.state()["departments"], [{"id": "3", "name": "East Region", "parent": "1", "order": 1}])
        self.assertEqual(self.state()["users"][0]["departments"], ["1"])


class EventReceiver:
    """A developer's server: lark-oapi's dispatcher decrypts, checks the token and signature."""

    def __init__(self, encrypt_key, verification_token, echo_wrong_challenge=False, slow=None):
        self.events = []
        self.lock = threading.Lock()
        record = self._record
        handler = lark.EventDispatcherHandler.builder(encrypt_key, verification_token, lark.LogLevel.CRITICAL)
        for name in ("user_created", "user_updated", "user_deleted",
                     "department_created", "department_updated", "department_deleted"):
            handler = getattr(handler, f"register_p2_contact_{name}_v3")(record)
        self.dispatcher = handler.build()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_POST(self):
                raw = RawRequest()
                raw.uri = self.path
                raw.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                raw.headers = {k: v for k, v in self.headers.items()}
                if slow is not None:
                    slow.wait(5)  # a receiver that answers late (released by the test)
                answer = receiver.dispatcher.do(raw)
                content = answer.content or b""
                if echo_wrong_challenge and b"challenge" in content:
                    content = b'{"challenge":"something else"}'
                try:
                    self.send_response(answer.status_code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the late answer's sender gave up waiting, as the test means it to

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/webhook/event" % self.server.server_address[1]

    def _record(self, event):
        with self.lock:
            self.events.append(event)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class CallbackTests(FeishuSimTestCase):
    # Feishu's 1 s and 3 s, stretched: on a loaded 2-core machine this process's own receiver
    # can be slower than that. test_a_late_challenge_answer_is_refused checks the 1 s default.
    overrides = {"verification_deadline": 10.0, "event_deadline": 10.0}

    def setUp(self):
        super().setUp()
        self.load({"departments": [{"id": "2", "name": "Sales", "parent": "1", "order": 1},
                                   {"id": "3", "name": "East", "parent": "2", "order": 2}], "users": []})
        options = self.platform.options
        self.receiver = EventReceiver(options.encrypt_key, options.verification_token)
        self.addCleanup(self.receiver.close)

    def deliveries(self, count):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            found = self.http("GET", "/_sim/deliveries")[1]["deliveries"]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        self.fail(f"fewer than {count} deliveries within {WAIT} s")

    def test_url_verification_then_encrypted_signed_events_for_console_changes(self):
        status, body, _ = self.http("POST", "/_sim/callback", {"url": self.receiver.url})
        self.assertEqual((status, body["verified"]), (200, True))
        changes = [("create_user", {"id": "wangwu", "name": "王五", "mobile": "+86 13700000000", "email": "w@example.com",
                                    "departments": ["3"], "title": "Engineer", "active": True}),
                   ("update_user", {"id": "wangwu", "departments": ["2", "3"], "active": False}),
                   ("create_department", {"id": "4", "name": "West", "parent": "2"}),
                   ("update_department", {"id": "4", "parent": "3"}),
                   ("delete_user", {"id": "wangwu"}),
                   ("delete_department", {"id": "4"})]
        for action, payload in changes:
            status, answer, _ = self.http("POST", f"/_sim/admin/{action}", payload)
            self.assertEqual((status, answer["ok"]), (200, True), (action, answer))
        deliveries = self.deliveries(1 + len(changes))
        self.assertEqual([d.get("kind") for d in deliveries][:1], ["url_verification"])
        self.assertTrue(all(d["accepted"] for d in deliveries), deliveries)
        with self.receiver.lock:
            events = list(self.receiver.events)
        self.assertEqual([e.header.event_type for e in events],
                         ["contact.user.created_v3", "contact.user.updated_v3", "contact.department.created_v3",
                          "contact.department.updated_v3", "contact.user.deleted_v3", "contact.department.deleted_v3"])
        self.assertEqual(len({e.header.event_id for e in events}), len(events), "event ids are unique")
        self.assertTrue(all(e.header.app_id == self.platform.options.app_id for e in events))
        created, updated, dept_created, dept_moved, user_deleted, dept_deleted = events
        open_ids = {d.department_id: d.open_department_id for d in self.client.contact.v3.department.children(
            ChildrenDepartmentRequest.builder().department_id("0").fetch_child(True).build()).data.items}
        self.assertEqual((created.event.object.user_id, created.event.object.department_ids), ("wangwu", [open_ids["3"]]))
        self.assertEqual(updated.event.old_object.department_ids, [open_ids["3"]])
        self.assertEqual(updated.event.object.status.is_frozen, True)
        self.assertEqual(dept_created.event.object.department_id, "4")
        self.assertEqual(dept_moved.event.object.parent_department_id, open_ids["3"])
        self.assertEqual(dept_moved.event.old_object.parent_department_id, open_ids["2"])
        self.assertEqual(user_deleted.event.old_object.open_id, created.event.object.open_id)
        self.assertEqual(dept_deleted.event.object.status.is_deleted, True)
        queued = self.http("GET", "/_sim/events")[1]["events"]
        self.assertEqual([q["eventId"] for q in queued], [e.header.event_id for e in events])

    def test_api_writes_send_events_too(self):
        self.http("POST", "/_sim/callback", {"url": self.receiver.url})
        request = (CreateDepartmentRequest.builder().department_id_type("department_id")
                   .request_body(Department({"name": "North", "parent_department_id": "0"})).build())
        self.assertEqual(self.client.contact.v3.department.create(request).code, 0)
        self.deliveries(2)
        with self.receiver.lock:
            self.assertEqual([e.header.event_type for e in self.receiver.events], ["contact.department.created_v3"])

    def test_a_receiver_with_the_wrong_encrypt_key_does_not_accept_events(self):
        self.http("POST", "/_sim/callback", {"url": self.receiver.url})
        self.platform.options.encrypt_key = "another-key"
        self.http("POST", "/_sim/admin/create_department", {"id": "9", "name": "Nine", "parent": "1"})
        last = self.deliveries(2)[-1]
        self.assertEqual((last["accepted"], last["status"]), (False, 500))

    def test_a_url_that_does_not_echo_the_challenge_is_not_saved(self):
        liar = EventReceiver(self.platform.options.encrypt_key, self.platform.options.verification_token, echo_wrong_challenge=True)
        self.addCleanup(liar.close)
        status, body, _ = self.http("POST", "/_sim/callback", {"url": liar.url})
        self.assertEqual((status, body["verified"], body["url"]), (400, False, None))
        self.http("POST", "/_sim/admin/create_department", {"id": "9", "name": "Nine", "parent": "1"})
        self.assertEqual(self.http("GET", "/_sim/events")[1]["events"], [])

    def test_a_late_challenge_answer_is_refused(self):
        self.platform.options.verification_deadline = 1.0
        release = threading.Event()
        self.addCleanup(release.set)
        late = EventReceiver(self.platform.options.encrypt_key, self.platform.options.verification_token, slow=release)
        self.addCleanup(late.close)
        status, body, _ = self.http("POST", "/_sim/callback", {"url": late.url})
        self.assertEqual((status, body["verified"]), (400, False))
        self.assertIn("no answer", body["problem"])

    def test_events_in_clear_when_no_encrypt_key_is_set(self):
        self.receiver.close()
        self.platform.options.encrypt_key = ""
        self.receiver = EventReceiver("", self.platform.options.verification_token)
        self.http("POST", "/_sim/callback", {"url": self.receiver.url})
        self.http("POST", "/_sim/admin/create_department", {"id": "9", "name": "Nine", "parent": "1"})
        self.assertTrue(self.deliveries(2)[-1]["accepted"])


class LoadTests(FeishuSimTestCase):
    def test_state_returns_the_loaded_directory(self):
        directory = five_level_tree(1)
        self.load(directory)
        state = self.state()
        self.assertEqual(state["departments"], directory["departments"])
        self.assertEqual(sorted(state["users"], key=lambda u: u["id"]),
                         sorted(({k: u[k] for k in ("id", "name", "mobile", "email", "title", "active", "departments")}
                                 for u in directory["users"]), key=lambda u: u["id"]))

    def test_a_user_without_departments_is_refused_at_load(self):
        status, body, _ = self.http("POST", "/_sim/load", {"users": [{"id": "x", "name": "X", "departments": []}]})
        self.assertEqual(status, 400)


if __name__ == "__main__":
    unittest.main()
