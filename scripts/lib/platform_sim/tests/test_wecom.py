"""The WeCom simulator driven by wechatpy (a WeCom client we did not write): tokens for both
secrets, paging a 5-level tree, a token expiring mid-listing, frequency limits, the write rules and
their codes, and change_contact events received and decrypted with wechatpy's WeChatCrypto."""

import json
import re
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Installed by scripts/platform-sim-test (scripts/lib/platform-sim-clients.sh): a missing
# client fails these tests rather than skipping them.
from wechatpy.exceptions import APILimitedException, WeChatClientException
from wechatpy.work import WeChatClient
from wechatpy.work.crypto import WeChatCrypto

from platform_sim import core
from platform_sim.wecom import WeCom

CORP = "ww5im0000000000001"
APP_SECRET = "app-secret-for-tests"
CONTACT_SECRET = "contact-sync-secret-for-tests"
TOKEN = "callback-token-for-tests"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WAIT = 20.0  # seconds a bounded wait allows on a loaded machine


def client_for(base, secret, corp=CORP):
    """wechatpy's WeCom client with its API base (and its hard-coded gettoken URL) pointed here."""

    class Client(WeChatClient):
        API_BASE_URL = base + "/cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(url=base + "/cgi-bin/gettoken",
                                            params={"corpid": self.corp_id, "corpsecret": self.secret})

    return Client(corp, secret, timeout=10)


def tree(levels=5, fan=2, users=300):
    """A directory `levels` deep under the root, `fan` children each, users spread over it, some
    in two departments."""
    departments, frontier, next_id = [], ["1"], 2
    for level in range(levels):
        grown = []
        for parent in frontier:
            for child in range(fan):
                departments.append({"id": str(next_id), "name": f"L{level}-{child}-{next_id}", "parent": parent, "order": child})
                grown.append(str(next_id))
                next_id += 1
        frontier = grown
    ids = [d["id"] for d in departments]
    people = []
    for n in range(users):
        member = [ids[n % len(ids)]] + ([ids[(n * 7) % len(ids)]] if n % 5 == 0 and ids[(n * 7) % len(ids)] != ids[n % len(ids)] else [])
        people.append({"id": f"user{n:04d}", "name": f"用户{n}", "mobile": f"+86 138{n:08d}", "email": f"user{n}@example.com",
                       "departments": member, "title": "Engineer", "active": n % 11 != 0})
    return {"departments": departments, "users": people}


class SimulatorCase(unittest.TestCase):
    argv: list[str] = []

    def setUp(self):
        options = WeCom.options(["--corp-id", CORP, "--app-secret", APP_SECRET, "--contact-secret", CONTACT_SECRET,
                                 "--callback-token", TOKEN, "--encoding-aes-key", AES_KEY,
                                 # WeCom's 1 s for the URL check is the platform's; a loaded machine's
                                 # receiver thread may take longer, which is no failure of the receiver.
                                 "--verify-deadline", "10", *self.argv])
        self.platform = WeCom(options)
        self.server = core.make_server(self.platform)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.contact = client_for(self.base, CONTACT_SECRET)
        self.app = client_for(self.base, APP_SECRET)

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def raw(self, path, query):
        with urllib.request.urlopen(self.base + path + "?" + urllib.parse.urlencode(query), timeout=10) as answer:
            self.assertEqual(answer.status, 200, "WeCom answers errors with HTTP 200 and an errcode")
            return json.loads(answer.read())

    def assertCode(self, code, call, *args, **kwargs):
        with self.assertRaises(WeChatClientException) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.errcode, code, caught.exception.errmsg)
        return caught.exception.errmsg


class TokenTests(SimulatorCase):
    def test_each_secret_gets_a_token_and_wrong_ones_are_refused_with_their_codes(self):
        answer = self.raw("/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": APP_SECRET})
        self.assertEqual((answer["errcode"], answer["errmsg"], answer["expires_in"]), (0, "ok", 7200))
        self.assertRegex(answer["access_token"], r"^\w{20,}$")
        again = self.raw("/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": APP_SECRET})
        self.assertEqual(again["access_token"], answer["access_token"], "a live token is given again")
        self.assertLessEqual(again["expires_in"], 7200)
        other = self.raw("/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": CONTACT_SECRET})["access_token"]
        self.assertNotEqual(other, answer["access_token"], "each secret has its own token")
        self.assertEqual(self.raw("/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": "wrong"})["errcode"], 40001)
        self.assertEqual(self.raw("/cgi-bin/gettoken", {"corpid": "wwother", "corpsecret": APP_SECRET})["errcode"], 40013)
        self.assertEqual(self.raw("/cgi-bin/gettoken", {"corpsecret": APP_SECRET})["errcode"], 41002)
        self.assertEqual(self.raw("/cgi-bin/gettoken", {"corpid": CORP})["errcode"], 41004)
        self.assertCode(40001, client_for(self.base, "wrong").department.simple_list)

    def test_invalid_missing_and_expired_tokens_have_their_codes(self):
        self.assertEqual(self.raw("/cgi-bin/department/simplelist", {"access_token": "forged"})["errcode"], 40014)
        self.assertEqual(self.raw("/cgi-bin/department/simplelist", {})["errcode"], 41001)
        token = self.raw("/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": APP_SECRET})["access_token"]
        self.control("/_sim/expire-tokens", {})
        answer = self.raw("/cgi-bin/department/simplelist", {"access_token": token})
        self.assertEqual(answer["errcode"], 42001)
        self.assertIn("access_token expired", answer["errmsg"])
        fresh = self.raw("/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": APP_SECRET})["access_token"]
        self.assertNotEqual(fresh, token, "an expired token is replaced")

    def test_the_app_secret_reads_but_may_not_write_nor_list_ids(self):
        self.control("/_sim/load", tree(levels=1, users=3))
        self.assertCode(48002, self.app.user.create, "newcomer", "New", department=[2], email="n@example.com")
        self.assertCode(48002, self.app.department.create, "Team", parent_id=1)
        self.assertCode(48002, self.app.post, "user/list_id", data={"limit": 10})
        detail = self.app.user.get("user0001")
        self.assertEqual(detail["name"], "用户1")
        # A self-built app made after 2022-06-20 no longer receives mobile, email, gender, ...
        self.assertNotIn("mobile", detail)
        self.assertNotIn("email", detail)
        # The contact-sync secret, called from an IP trusted after 2022-08-15, reads ids only.
        self.assertCode(48002, self.contact.user.get, "user0001")
        self.assertCode(48002, self.contact.department.list)
        self.assertEqual(len(self.contact.department.simple_list()), 3)


class LegacyAppTests(SimulatorCase):
    argv = ["--legacy-app", "--contact-sync-old-ip"]

    def test_an_app_made_before_2022_06_20_still_reads_mobile_and_email(self):
        self.control("/_sim/load", tree(levels=1, users=2))
        detail = self.app.user.get("user0001")
        self.assertEqual((detail["mobile"], detail["email"]), ("+86 13800000001", "user1@example.com"))
        self.assertEqual(self.contact.user.get("user0001")["mobile"], "+86 13800000001",
                         "the contact-sync secret from an IP trusted before 2022-08-15 reads details")


class ListingTests(SimulatorCase):
    def test_a_five_level_tree_is_listed_and_users_paged_by_cursor(self):
        fixture = tree(levels=5, fan=2, users=300)
        self.control("/_sim/load", fixture)
        listed = self.contact.department.simple_list()
        self.assertEqual(len(listed), 1 + 62)
        self.assertEqual(listed[0], {"id": 1, "parentid": 0, "order": 0})
        parents = {d["id"]: d["parentid"] for d in listed}
        self.assertEqual({str(k): str(v) for k, v in parents.items() if k != 1},
                         {d["id"]: d["parent"] for d in fixture["departments"]})
        subtree = self.app.department.simple_list(3)
        self.assertEqual(len(subtree), 1 + 2 + 4 + 8 + 16, "simplelist?id is the department and everything under it")
        self.assertEqual(self.app.department.get(3), {"id": 3, "name": "L0-1-3", "name_en": "", "department_leader": [],
                                                       "parentid": 1, "order": 1})
        self.assertCode(60003, self.app.department.get, 9999)

        pairs, cursor, pages = [], "", 0
        while True:
            answer = self.contact.post("user/list_id", data={"cursor": cursor, "limit": 37})
            pairs.extend((p["userid"], p["department"]) for p in answer["dept_user"])
            pages += 1
            cursor = answer["next_cursor"]
            if not cursor:
                break
        self.assertEqual(pages, 9)  # 300 users, 37 a page
        expected = {(u["id"], int(d)) for u in fixture["users"] for d in u["departments"]}
        self.assertEqual(sorted(pairs), sorted(expected))
        self.assertCode(40058, self.contact.post, "user/list_id", data={"limit": 10001})
        self.assertCode(50100, self.contact.post, "user/list_id", data={"cursor": "!!", "limit": 10})
        self.assertCode(47001, self.contact.post, "user/list_id", data="[1, 2")

        detail = self.app.user.get("USER0005")  # userids are case-insensitive
        self.assertEqual((detail["userid"], detail["department"], detail["status"]), ("user0005", [7, 37], 1))
        self.assertEqual(self.app.user.get("user0011")["status"], 2, "an inactive user is disabled")
        self.assertCode(60111, self.app.user.get, "nobody")
        members = self.app.user.list(3, fetch_child=True, simple=True)
        self.assertEqual(len(members), len({u["id"] for u in fixture["users"]
                                            if set(u["departments"]) & {str(d["id"]) for d in subtree}}))

    def test_a_token_expiring_mid_listing_is_refreshed_by_the_client_and_the_listing_goes_on(self):
        self.control("/_sim/load", tree(levels=2, users=50))
        first = self.contact.post("user/list_id", data={"limit": 20})
        self.control("/_sim/expire-tokens", {})
        rest, cursor = [], first["next_cursor"]
        while cursor:
            answer = self.contact.post("user/list_id", data={"cursor": cursor, "limit": 20})
            rest.extend(p["userid"] for p in answer["dept_user"])
            cursor = answer["next_cursor"]
        users = {p["userid"] for p in first["dept_user"]} | set(rest)
        self.assertEqual(len(users), 50)
        counts = self.control("/_sim/requests")[1]
        self.assertEqual(counts["tokensIssued"], 2, "wechatpy fetched a new token on 42001")
        self.assertEqual(counts["counts"]["user/list_id"], 4, "three pages and the one refused as expired")

    def test_a_user_deleted_between_pages_is_not_listed_and_paging_still_ends(self):
        self.control("/_sim/load", tree(levels=1, users=10))
        first = self.contact.post("user/list_id", data={"limit": 4})
        self.contact.user.delete("user0005")
        self.contact.user.delete("user0009")
        second = self.contact.post("user/list_id", data={"cursor": first["next_cursor"], "limit": 4})
        self.assertEqual([p["userid"] for p in second["dept_user"]], ["user0004", "user0006", "user0007", "user0008"])
        self.assertEqual(second["next_cursor"], "", "only deleted users were left")


class FrequencyTests(SimulatorCase):
    def test_defaults_are_the_documented_per_corp_per_api_numbers(self):
        self.assertEqual(self.platform.limiter.limits["*"], [(10000, 60), (150000, 3600)])

    def test_passing_a_window_refuses_with_45009_for_the_window_s_length(self):
        self.control("/_sim/load", tree(levels=1, users=3))
        self.control("/_sim/rate-limit", {"api": "user/get", "per_second": 3})
        for _ in range(3):
            self.app.user.get("user0001")
        started = time.monotonic()
        with self.assertRaises(APILimitedException) as caught:
            self.app.user.get("user0001")
        self.assertEqual(caught.exception.errcode, 45009)
        self.assertIn("api freq out of limit", caught.exception.errmsg)
        self.app.department.simple_list()  # limits are per API
        while True:
            try:
                self.app.user.get("user0001")
                break
            except APILimitedException:
                self.assertLess(time.monotonic() - started, WAIT)
                time.sleep(0.05)
        self.assertGreater(time.monotonic() - started, 0.9, "blocked for the whole second, not until a token drips in")
        self.assertGreaterEqual(self.control("/_sim/requests")[1]["rateLimited"], 2)

    def test_concurrency_over_the_set_limit_is_45033(self):
        self.control("/_sim/load", tree(levels=1, users=3))
        self.control("/_sim/rate-limit", {"api": "*", "per_minute": 10000, "concurrent": 1})
        self.platform.in_flight["user/get"] = 1  # one request held in flight
        self.assertCode(45033, self.app.user.get, "user0001")
        self.platform.in_flight["user/get"] = 0
        self.assertEqual(self.app.user.get("user0001")["userid"], "user0001")


class FaultTests(SimulatorCase):
    def test_an_injected_answer_is_given_once_in_wecom_s_shape(self):
        self.control("/_sim/load", tree(levels=1, users=2))
        self.control("/_sim/fault", {"api": "user/get", "times": 1, "answer": {"errcode": -1, "errmsg": "system busy"}})
        self.assertCode(-1, self.app.user.get, "user0001")
        self.assertEqual(self.app.user.get("user0001")["userid"], "user0001")


class WriteTests(SimulatorCase):
    def setUp(self):
        super().setUp()
        self.control("/_sim/load", {"departments": [{"id": "2", "name": "Sales", "parent": "1", "order": 1}],
                                    "users": [{"id": "zhangsan", "name": "张三", "mobile": "+86 13800000000",
                                               "email": "z@example.com", "departments": ["2"], "title": "Engineer", "active": True}]})

    def test_users_are_created_updated_and_deleted_with_their_departments(self):
        self.assertEqual(self.contact.user.create("lisi", "李四", department=[1, 2], email="l@example.com")["errmsg"], "created")
        self.assertEqual(self.contact.user.update("lisi", department=[2], position="Lead", enable=0)["errmsg"], "updated")
        state = self.control("/_sim/state")[1]
        self.assertIn({"id": "lisi", "name": "李四", "email": "l@example.com", "departments": ["2"], "title": "Lead", "active": False},
                      state["users"])
        self.assertEqual(self.contact.user.delete("LiSi")["errmsg"], "deleted")
        self.assertEqual([u["id"] for u in self.control("/_sim/state")[1]["users"]], ["zhangsan"])
        self.assertCode(60111, self.contact.user.delete, "lisi")

    def test_an_update_past_a_hundred_departments_is_refused_and_changes_nothing(self):
        many = [self.contact.department.create(f"D{n}", parent_id=1)["id"] for n in range(100)]
        self.assertEqual(self.contact.user.update("zhangsan", department=many)["errmsg"], "updated")
        self.assertCode(60110, self.contact.user.update, "zhangsan", department=[2] + many, position="Lead")
        user = next(u for u in self.control("/_sim/state")[1]["users"] if u["id"] == "zhangsan")
        self.assertEqual((sorted(user["departments"]), user["title"]), (sorted(str(d) for d in many), "Engineer"))

    def test_uniqueness_and_user_rules_have_wecom_s_codes(self):
        self.assertCode(60102, self.contact.user.create, "ZhangSan", "Again", department=[1], email="a@example.com")
        message = self.assertCode(60104, self.contact.user.create, "wangwu", "王五", department=[1], mobile="+86 13800000000")
        self.assertTrue(message.startswith("mobile existed:zhangsan"), message)
        self.assertCode(60104, self.contact.user.create, "wangwu", "王五", department=[1], mobile="13800000000")
        self.assertCode(60106, self.contact.user.create, "wangwu", "王五", department=[1], email="Z@example.com")
        self.assertCode(60129, self.contact.user.create, "wangwu", "王五", department=[1])
        self.assertCode(41019, self.contact.user.create, "wangwu", "王五", email="w@example.com")
        self.assertCode(40066, self.contact.user.create, "wangwu", "王五", department=[99], email="w@example.com")
        self.assertCode(40003, self.contact.user.create, "-bad", "王五", department=[1], email="w@example.com")
        self.assertCode(60112, self.contact.user.create, "wangwu", "", department=[1], email="w@example.com")
        self.assertCode(60105, self.contact.user.create, "wangwu", "王五", department=[1], email="not-an-email")
        self.assertCode(60103, self.contact.user.create, "wangwu", "王五", department=[1], mobile="phone")
        many = [self.contact.department.create(f"D{n}", parent_id=1)["id"] for n in range(100)]
        self.assertCode(60110, self.contact.user.create, "wangwu", "王五", department=[2] + many, email="w@example.com")
        self.assertEqual(self.contact.user.create("wangwu", "王五", department=many, email="w@example.com")["errmsg"], "created")
        self.assertCode(40066, self.contact.user.update, "wangwu", department=[])
        self.assertCode(60104, self.contact.user.update, "wangwu", mobile="+86 13800000000")
        self.assertEqual(self.contact.user.update("zhangsan", mobile="+86 13900000000")["errmsg"], "updated")
        self.assertEqual(self.contact.user.update("wangwu", mobile="+86 13800000000")["errmsg"], "updated",
                         "a mobile given up is free again")

    def test_department_rules_have_wecom_s_codes(self):
        created = self.contact.department.create("Team", parent_id=2, order=5)
        self.assertEqual((created["errmsg"], created["id"]), ("created", 3))
        self.assertCode(60008, self.contact.department.create, "Team", parent_id=2)
        self.assertCode(60008, self.contact.department.create, "Other", parent_id=2, id=3)
        self.assertCode(60009, self.contact.department.create, "a/b:c", parent_id=1)
        self.assertCode(60009, self.contact.department.create, 'say "hi"', parent_id=1)
        self.assertCode(60001, self.contact.department.create, "x" * 33, parent_id=1)
        self.assertCode(60004, self.contact.department.create, "Orphan", parent_id=77)
        self.assertCode(60123, self.contact.department.create, "One", parent_id=1, id=1)
        self.assertCode(60010, self.contact.department.update, 2, parent_id=3)
        self.assertCode(60007, self.contact.department.delete, 1)
        self.assertCode(60006, self.contact.department.delete, 2)
        self.contact.user.update("zhangsan", department=[3])
        self.assertCode(60005, self.contact.department.delete, 3)
        self.assertCode(60003, self.contact.department.delete, 99)
        self.contact.user.update("zhangsan", department=[1])
        self.assertEqual(self.contact.department.delete(3)["errmsg"], "deleted")
        self.assertEqual(self.contact.department.update(2, name="Sales EMEA")["errmsg"], "updated")
        self.assertEqual(self.control("/_sim/state")[1]["departments"], [{"id": "2", "name": "Sales EMEA", "parent": "1", "order": 1}])

    def test_departments_nest_fifteen_levels_counting_the_root(self):
        parent = 1
        for level in range(2, 16):
            parent = self.contact.department.create(f"Level{level}", parent_id=parent)["id"]
        self.assertCode(81002, self.contact.department.create, "Level16", parent_id=parent)
        deep = self.contact.department.create("Leaf", parent_id=2)["id"]
        # Sales (2) with its Leaf is two levels: under level 14 the leaf would be level 16.
        self.assertCode(81002, self.contact.department.update, 2, parent_id=parent - 1)
        self.assertEqual(self.contact.department.update(deep, parent_id=parent - 1)["errmsg"], "updated")


class CallbackReceiver:
    """A company's callback endpoint written as WeCom's docs ask, with wechatpy's crypto."""

    def __init__(self, echo_wrong=False, fail_first=0):
        crypto = WeChatCrypto(TOKEN, AES_KEY, CORP)
        self.events: list[str] = []
        received = self.events

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _query(self):
                return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).items()}

            def do_GET(self):
                q = self._query()
                plain = crypto.check_signature(q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"])
                body = (plain + ("x" if echo_wrong else "")).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                q = self._query()
                envelope = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.append(crypto.decrypt_message(envelope, q["msg_signature"], q["timestamp"], q["nonce"]))
                if len(received) <= fail_first:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"success")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/wecom/callback" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def field(xml, name):
    found = re.search(rf"<{name}>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</{name}>", xml)
    return None if found is None else (found.group(1) if found.group(1) is not None else found.group(2))


class CallbackCase(SimulatorCase):
    def wait_deliveries(self, count):
        deadline = time.monotonic() + WAIT
        while True:
            deliveries = self.control("/_sim/deliveries")[1]["deliveries"]
            if len(deliveries) >= count:
                return deliveries
            self.assertLess(time.monotonic(), deadline, f"{count} deliveries expected, {len(deliveries)} made")
            time.sleep(0.02)

    def changes(self):
        """Verifies a receiver, then makes console changes; returns the events it decrypted."""
        receiver = CallbackReceiver()
        self.addCleanup(receiver.close)
        self.control("/_sim/load", tree(levels=1, users=2))
        status, answer = self.control("/_sim/callback", {"url": receiver.url})
        self.assertEqual((status, answer["verified"], answer["url"]), (200, True, receiver.url), answer)
        actions = [("create_user", {"id": "lisi", "name": "李四", "email": "l@example.com", "departments": ["2", "3"], "title": "Lead"}),
                   ("update_user", {"id": "lisi", "departments": ["3"]}),
                   ("update_user", {"id": "lisi", "title": "Lead"}),  # no change: no event
                   ("create_department", {"id": "50", "name": "Ops", "parent": "2"}),
                   ("update_department", {"id": "50", "name": "Operations"}),
                   ("update_department", {"id": "50", "parent": "3"}),
                   ("delete_user", {"id": "lisi"}),
                   ("delete_department", {"id": "50"})]
        for action, payload in actions:
            self.assertEqual(self.control("/_sim/admin/" + action, payload)[0], 200, action)
        expected = 7 if self.argv else 6
        deliveries = self.wait_deliveries(expected)
        self.assertEqual(len(deliveries), expected)
        self.assertTrue(all(d["accepted"] and d["status"] == 200 for d in deliveries), deliveries)
        self.assertTrue(all("msg_signature=" in d["url"] and "nonce=" in d["url"] for d in deliveries))
        events = receiver.events
        self.assertTrue(all(field(e, "Event") == "change_contact" and field(e, "ToUserName") == CORP for e in events))
        self.assertNotIn("lisi", [u["id"] for u in self.control("/_sim/state")[1]["users"]])
        return events



class CallbackTests(CallbackCase):
    def test_url_verification_then_encrypted_change_contact_events_with_ids_only(self):
        # A contact-sync callback URL saved after 2022-08-15: users carry UserID and Department,
        # departments Id and ParentId, and a department rename sends nothing.
        events = self.changes()
        self.assertEqual([field(e, "ChangeType") for e in events],
                         ["create_user", "update_user", "create_party", "update_party", "delete_user", "delete_party"])
        self.assertEqual((field(events[0], "UserID"), field(events[0], "Department"), field(events[0], "Name")), ("lisi", "2,3", None))
        self.assertEqual((field(events[1], "UserID"), field(events[1], "Department")), ("lisi", "3"))
        self.assertEqual((field(events[2], "Id"), field(events[2], "ParentId"), field(events[2], "Name")), ("50", "2", None))
        self.assertEqual((field(events[3], "Id"), field(events[3], "ParentId")), ("50", "3"))
        self.assertEqual(field(events[4], "UserID"), "lisi")
        self.assertEqual(field(events[5], "Id"), "50")

    def test_a_wrong_echo_fails_verification_and_the_url_is_not_saved(self):
        receiver = CallbackReceiver(echo_wrong=True)
        self.addCleanup(receiver.close)
        status, answer = self.control("/_sim/callback", {"url": receiver.url})
        self.assertEqual((answer["verified"], answer["url"]), (False, None), answer)
        self.assertIn("not the decrypted echostr", answer["problem"])

    def test_an_event_refused_is_sent_again_up_to_three_more_times(self):
        receiver = CallbackReceiver(fail_first=5)
        self.addCleanup(receiver.close)
        self.control("/_sim/load", tree(levels=1, users=2))
        self.assertTrue(self.control("/_sim/callback", {"url": receiver.url})[1]["verified"])
        self.control("/_sim/admin/delete_user", {"id": "user0001"})
        self.control("/_sim/admin/delete_user", {"id": "user0000"})
        deliveries = self.wait_deliveries(6)
        self.assertEqual([(d["attempt"], d["status"], d["accepted"]) for d in deliveries],
                         [(1, 500, False), (2, 500, False), (3, 500, False), (4, 500, False), (1, 500, False), (2, 200, True)])
        self.assertEqual([field(e, "UserID") for e in receiver.events], ["user0001"] * 4 + ["user0000"] * 2)

    def test_console_changes_obey_the_same_rules(self):
        self.control("/_sim/load", tree(levels=1, users=2))
        status, answer = self.control("/_sim/admin/delete_department", {"id": "2"})
        self.assertEqual((status, answer["errcode"]), (400, 60005))
        self.assertEqual(self.control("/_sim/deliveries")[1]["deliveries"], [])


class LegacyCallbackTests(CallbackCase):
    argv = ["--legacy-callback"]

    def test_a_callback_saved_before_2022_08_15_gets_every_field(self):
        events = self.changes()
        self.assertEqual([field(e, "ChangeType") for e in events],
                         ["create_user", "update_user", "create_party", "update_party", "update_party", "delete_user", "delete_party"])
        created = events[0]
        self.assertEqual((field(created, "UserID"), field(created, "Name"), field(created, "Department"), field(created, "Position"),
                          field(created, "Email"), field(created, "Status")), ("lisi", "李四", "2,3", "Lead", "l@example.com", "1"))
        self.assertEqual((field(events[1], "Department"), field(events[1], "MainDepartment"), field(events[1], "Name")), ("3", "3", None),
                         "update_user carries what changed")
        self.assertEqual((field(events[2], "Name"), field(events[2], "ParentId"), field(events[2], "Order")), ("Ops", "2", "0"))
        self.assertEqual((field(events[3], "Name"), field(events[3], "ParentId")), ("Operations", None))
        self.assertEqual((field(events[4], "Name"), field(events[4], "ParentId")), (None, "3"))


if __name__ == "__main__":
    unittest.main()
