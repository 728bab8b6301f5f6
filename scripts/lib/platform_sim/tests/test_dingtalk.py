"""The DingTalk simulator, driven as a connector would drive DingTalk: the v1.0 access token
through DingTalk's own PyPI client (alibabacloud-dingtalk), the oapi "topapi" endpoints (which
that client does not cover) through plain HTTP, and event callbacks received by a small HTTP
server that decrypts and signs with wechatpy's WXBizMsgCrypt (the scheme DingTalk shares)."""

import argparse
import base64
import json
import os
import threading
import time
import unittest
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_openapi import models as openapi_models
from wechatpy.crypto import PrpCrypto, WeChatCrypto, _get_signature

from platform_sim import core
from platform_sim.dingtalk import DingTalk

APP_KEY = "dingtestkey"
APP_SECRET = "ding-test-secret"
CORP_ID = "dingtestcorp"
TOKEN = "callbacktoken"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
BOUND = 20.0  # seconds any wait may take on a loaded two-core machine


def options(**kw):
    values = dict(token_ttl=7200, app_key=APP_KEY, app_secret=APP_SECRET, corp_id=CORP_ID, callback_token=TOKEN,
                  callback_aes_key=AES_KEY, callback_timeout=5.0, max_dept_depth=15, ip_ban_seconds=300.0)
    values.update(kw)
    return argparse.Namespace(**values)


def five_level_directory():
    """Root → 3 → 6 → 12 → 12 departments (five levels); 150 users in one department (two
    pages of 100), 5 in every other, some users in two departments."""
    departments, next_id = [], 100
    level = ["1"]
    for width in (3, 2, 2, 1):
        below = []
        for parent in level:
            for index in range(width):
                next_id += 1
                departments.append({"id": str(next_id), "name": f"D{next_id}", "parent": parent, "order": index})
                below.append(str(next_id))
        level = below
    users, number = [], 0
    for dept in departments:
        for _ in range(150 if dept["id"] == "101" else 5):
            number += 1
            user = {"id": f"u{number:04d}", "name": f"用户{number}", "mobile": f"+86 139{number:08d}",
                    "email": f"u{number}@example.com", "departments": [dept["id"]], "title": "Engineer", "active": True}
            if number % 7 == 0 and dept["id"] != "102":
                user["departments"].append("102")
            users.append(user)
    return {"departments": departments, "users": users}


class Simulator:
    def __init__(self, **kw):
        self.platform = DingTalk(options(**kw))
        self.server = core.make_server(self.platform)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def raw(self, method, path, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=BOUND) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def control(self, path, body=None):
        status, answer = self.raw("POST" if body is not None else "GET", "/_sim/" + path, body)
        assert status == 200, (path, status, answer)
        return answer

    def gettoken(self, secret=APP_SECRET):
        query = urllib.parse.urlencode({"appkey": APP_KEY, "appsecret": secret})
        return self.raw("GET", "/gettoken?" + query)[1]

    def token(self):
        answer = self.gettoken()
        assert answer["errcode"] == 0, answer
        return answer["access_token"]

    def api(self, path, body, token):
        status, answer = self.raw("POST", f"/topapi/{path}?access_token={urllib.parse.quote(token)}", body)
        assert status == 200, "oapi answers HTTP 200 even when it refuses"
        return answer


class DingTalkTestCase(unittest.TestCase):
    documented_limits = False  # most tests lift the 20 requests/s per API so as to test something else

    def setUp(self):
        self.sim = Simulator()
        self.addCleanup(self.sim.close)
        if not self.documented_limits:
            self.sim.control("rate-limit", {"api": "*", "per_second": 1e6})

    def ok(self, path, body, token=None):
        answer = self.sim.api(path, body, token or self.sim.token())
        self.assertEqual((answer["errcode"], answer["errmsg"]), (0, "ok"), answer)
        self.assertIn("request_id", answer)
        return answer

    def refused(self, path, body, errcode, token=None):
        answer = self.sim.api(path, body, token or self.sim.token())
        self.assertEqual(answer["errcode"], errcode, answer)
        return answer


class TokenTests(DingTalkTestCase):
    def test_gettoken_renews_the_same_token_and_refuses_a_wrong_secret(self):
        first = self.sim.gettoken()
        self.assertEqual((first["errcode"], first["errmsg"], first["expires_in"]), (0, "ok", 7200))
        self.assertEqual(self.sim.gettoken()["access_token"], first["access_token"],
                         "asking again while valid returns the same token")
        wrong = self.sim.gettoken("wrong")
        self.assertEqual((wrong["errcode"], wrong["errmsg"]), (40096, "不合法的appKey或appSecret"))
        self.assertNotIn("access_token", wrong)
        self.sim.control("expire-tokens", {})
        self.assertNotEqual(self.sim.gettoken()["access_token"], first["access_token"], "an expired token is replaced")

    def test_v1_access_token_through_dingtalks_client(self):
        host = self.sim.base.removeprefix("http://")
        client = OAuthClient(openapi_models.Config(protocol="http", endpoint=host))
        answer = client.get_access_token(oauth_models.GetAccessTokenRequest(app_key=APP_KEY, app_secret=APP_SECRET))
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.body.expire_in, 7200)
        self.assertEqual(self.sim.api("user/count", {}, answer.body.access_token)["errcode"], 0,
                         "a v1.0 token is accepted by the oapi endpoints")
        with self.assertRaises(Exception) as caught:
            client.get_access_token(oauth_models.GetAccessTokenRequest(app_key=APP_KEY, app_secret="wrong"))
        self.assertEqual(caught.exception.code, "invalidClientIdOrSecret")
        self.assertEqual(caught.exception.data["statusCode"], 400)

    def test_missing_forged_and_expired_tokens_are_errcode_88_with_a_sub_code(self):
        status, missing = self.sim.raw("POST", "/topapi/v2/user/get", {"userid": "x"})
        self.assertEqual((missing["errcode"], missing["sub_code"]), (88, "40000"))
        forged = self.sim.api("v2/user/get", {"userid": "x"}, "forged")
        self.assertEqual((forged["errcode"], forged["sub_code"], forged["sub_msg"]), (88, "40014", "不合法的access_token"))
        self.assertEqual(forged["errmsg"], "ding talk error[subcode=40014,submsg=不合法的access_token]")
        token = self.sim.token()
        self.sim.control("expire-tokens", {})
        expired = self.sim.api("v2/user/get", {"userid": "x"}, token)
        self.assertEqual((expired["errcode"], expired["sub_code"]), (88, "42001"))


class ListingTests(DingTalkTestCase):
    def setUp(self):
        super().setUp()
        self.directory = five_level_directory()
        self.sim.control("load", self.directory)

    def list_members(self, token, dept_id, size=100):
        users, cursor = [], 0
        while True:
            result = self.ok("v2/user/list", {"dept_id": dept_id, "cursor": cursor, "size": size}, token)["result"]
            users.extend(result["list"])
            if not result["has_more"]:
                self.assertNotIn("next_cursor", result)
                return users
            cursor = result["next_cursor"]

    def test_a_five_level_tree_crawled_one_level_at_a_time(self):
        token = self.sim.token()
        top = self.ok("v2/department/listsub", {"dept_id": 1}, token)["result"]
        self.assertEqual([d["dept_id"] for d in top], [101, 102, 103], "children only, by order")
        self.assertEqual(set(top[0]), {"dept_id", "name", "parent_id", "create_dept_group", "auto_add_user"})
        seen, queue, members = {}, [1], {}
        while queue:
            dept_id = queue.pop(0)
            for child in self.ok("v2/department/listsub", {"dept_id": dept_id}, token)["result"]:
                self.assertEqual(child["parent_id"], dept_id)
                seen[child["dept_id"]] = child
                queue.append(child["dept_id"])
            for user in self.list_members(token, dept_id):
                members.setdefault(user["userid"], (user, set()))[1].add(dept_id)
        self.assertEqual(len(seen), 33)
        self.assertEqual({str(d) for d in seen}, {d["id"] for d in self.directory["departments"]})
        self.assertEqual(self.ok("v2/department/get", {"dept_id": 122}, token)["result"]["parent_id"], 110)
        expected = {u["id"]: u for u in self.directory["users"]}
        self.assertEqual(set(members), set(expected))
        for userid, (user, depts) in members.items():
            self.assertEqual(depts, {int(d) for d in expected[userid]["departments"]})
            self.assertEqual(sorted(user["dept_id_list"]), sorted(depts))
            self.assertEqual("+%s %s" % (user["state_code"], user["mobile"]), expected[userid]["mobile"])
            self.assertEqual(user["email"], expected[userid]["email"])
        detail = self.ok("v2/user/get", {"userid": "u0007"}, token)["result"]
        self.assertEqual((detail["name"], detail["dept_id_list"], detail["active"]), ("用户7", [101, 102], True))
        self.refused("v2/user/get", {"userid": "nobody"}, 60121, token)
        self.refused("v2/department/listsub", {"dept_id": 999}, 60003, token)

    def test_page_size_is_at_most_100_and_pages_are_cursor_offsets(self):
        token = self.sim.token()
        self.refused("v2/user/list", {"dept_id": 101, "cursor": 0, "size": 101}, 400002, token)
        self.refused("v2/user/list", {"dept_id": 101, "cursor": 0}, 40035, token)
        first = self.ok("v2/user/list", {"dept_id": 101, "cursor": 0, "size": 100}, token)["result"]
        self.assertEqual((len(first["list"]), first["has_more"], first["next_cursor"]), (100, True, 100))
        simple = self.ok("user/listsimple", {"dept_id": 101, "cursor": 100, "size": 100}, token)["result"]
        self.assertEqual((len(simple["list"]), simple["has_more"]), (50, False))
        self.assertEqual(set(simple["list"][0]), {"userid", "name"})
        ids = self.ok("user/listid", {"dept_id": 101}, token)["result"]["userid_list"]
        self.assertEqual(len(ids), 150)

    def test_a_token_expiring_mid_listing_is_refused_then_the_listing_resumes(self):
        token = self.sim.token()
        first = self.ok("v2/user/list", {"dept_id": 101, "cursor": 0, "size": 60}, token)["result"]
        self.sim.control("expire-tokens", {})
        refused = self.refused("v2/user/list", {"dept_id": 101, "cursor": first["next_cursor"], "size": 60}, 88, token)
        self.assertEqual(refused["sub_code"], "42001")
        fresh = self.sim.token()
        self.assertNotEqual(fresh, token)
        rest = self.list_members(fresh, 101, size=60)[60:]
        resumed = []
        cursor = first["next_cursor"]
        while cursor is not None:
            page = self.ok("v2/user/list", {"dept_id": 101, "cursor": cursor, "size": 60}, fresh)["result"]
            resumed.extend(page["list"])
            cursor = page.get("next_cursor")
        self.assertEqual([u["userid"] for u in resumed], [u["userid"] for u in rest])
        self.assertEqual(len(first["list"]) + len(resumed), 150)


class RateLimitTests(DingTalkTestCase):
    documented_limits = True

    def test_the_documented_defaults(self):
        self.assertEqual(self.sim.platform.limiter.limits, {"*": [(20, 1.0)], "ip": [(10000, 20.0)]})

    def test_per_app_per_api_limit_answers_90006_and_admits_again_after_the_wait(self):
        token = self.sim.token()
        self.sim.control("rate-limit", {"api": "dingtalk.oapi.user.count", "per_minute": 3})
        self.assertEqual([self.sim.api("user/count", {}, token)["errcode"] for _ in range(3)], [0, 0, 0])
        limited = self.sim.api("user/count", {}, token)
        self.assertEqual(limited["errcode"], 90006, limited)
        self.assertEqual(self.sim.api("v2/department/listsub", {}, token)["errcode"], 0, "limits are per API")
        # One request a second: the next one is admitted within about a second.
        self.sim.control("rate-limit", {"api": "dingtalk.oapi.user.count", "per_second": 1})
        self.sim.api("user/count", {}, token)
        started, answers = time.monotonic(), []
        while time.monotonic() - started < BOUND:
            answers.append(self.sim.api("user/count", {}, token)["errcode"])
            if answers[-1] == 0:
                break
        self.assertEqual(answers[-1], 0)
        self.assertIn(90006, answers)
        self.assertGreater(self.sim.control("requests")["rateLimited"], 1)

    def test_the_per_ip_limit_refuses_without_an_errcode_and_bans_for_a_while(self):
        self.sim.close()
        self.sim = Simulator(ip_ban_seconds=0.5)
        token = self.sim.token()
        self.sim.control("rate-limit", {"api": "ip", "per_minute": 2})
        self.assertEqual([self.sim.api("user/count", {}, token)["errcode"] for _ in range(2)], [0, 0])
        denied = self.sim.api("user/count", {}, token)
        self.assertEqual((denied["punish"], denied["status"]), ("deny", 1111))
        self.assertNotIn("errcode", denied)
        self.sim.control("rate-limit", {"api": "ip", "per_second": 1000})
        started, answer = time.monotonic(), denied
        while "punish" in answer and time.monotonic() - started < BOUND:
            answer = self.sim.api("user/count", {}, token)
        self.assertEqual(answer.get("errcode"), 0)
        self.assertGreaterEqual(time.monotonic() - started, 0.3, "refused for the ban's length even once under the limit")


class WriteTests(DingTalkTestCase):
    def setUp(self):
        super().setUp()
        self.sim.control("load", {"departments": [{"id": "2", "name": "Sales", "parent": "1", "order": 1}],
                                  "users": [{"id": "zhangsan", "name": "张三", "mobile": "+86 13800000000",
                                             "email": "z@example.com", "departments": ["2"], "title": "Engineer",
                                             "active": True}]})
        self.token = self.sim.token()

    def create(self, **fields):
        body = {"userid": "lisi", "name": "李四", "mobile": "13900000000", "dept_id_list": "2"} | fields
        return self.sim.api("v2/user/create", body, self.token)

    def test_users_need_a_department_and_unique_userid_mobile_and_email(self):
        self.assertEqual(self.create(userid="zhangsan")["errcode"], 60102)
        self.assertEqual(self.create(mobile="13800000000")["errcode"], 60104)
        self.assertEqual(self.create(email="Z@example.com")["errcode"], 60106)
        self.assertEqual(self.create(email="not-an-address")["errcode"], 60105)
        self.assertEqual(self.create(mobile="12345")["errcode"], 60103)
        self.assertEqual(self.create(dept_id_list="")["errcode"], 40035)
        self.assertEqual(self.create(dept_id_list="2,999")["errcode"], 60003)
        many = [self.ok("v2/department/create", {"name": f"T{i}", "parent_id": 1}, self.token)["result"]["dept_id"]
                for i in range(100)]
        self.assertEqual(self.create(dept_id_list=",".join(str(d) for d in many + [2]))["errcode"], 60110)
        created = self.create(dept_id_list=",".join(str(d) for d in many))
        self.assertEqual(created["errcode"], 0, created)
        self.assertEqual(created["result"]["userid"], "lisi")
        generated = self.create(userid=None, mobile="+852-91234567", email="x@example.com", dept_id_list=[2])
        self.assertEqual(generated["errcode"], 0, generated)
        detail = self.ok("v2/user/get", {"userid": generated["result"]["userid"]}, self.token)["result"]
        self.assertEqual((detail["state_code"], detail["mobile"], detail["active"]), ("852", "91234567", False))

    def test_an_update_past_a_hundred_departments_is_refused_and_changes_nothing(self):
        many = [self.ok("v2/department/create", {"name": f"T{i}", "parent_id": 1}, self.token)["result"]["dept_id"]
                for i in range(100)]
        self.ok("v2/user/update", {"userid": "zhangsan", "dept_id_list": ",".join(str(d) for d in many)}, self.token)
        self.refused("v2/user/update", {"userid": "zhangsan", "dept_id_list": ",".join(str(d) for d in many + [2]),
                                        "title": "Lead"}, 60110, self.token)
        user = self.sim.control("state")["users"][0]
        self.assertEqual((sorted(user["departments"]), user["title"]), (sorted(str(d) for d in many), "Engineer"))

    def test_membership_is_the_users_department_list(self):
        listed = self.ok("v2/user/list", {"dept_id": 2, "cursor": 0, "size": 10}, self.token)["result"]["list"]
        self.assertEqual(listed[0]["title"], "Engineer")
        self.ok("v2/department/create", {"name": "Support", "parent_id": 2}, self.token)
        self.ok("v2/user/update", {"userid": "zhangsan", "dept_id_list": "2,3", "title": "Lead"}, self.token)
        state = self.sim.control("state")
        self.assertEqual(state["users"][0]["departments"], ["2", "3"])
        self.assertEqual(state["users"][0]["title"], "Lead")
        listed = self.ok("v2/user/list", {"dept_id": 3, "cursor": 0, "size": 10}, self.token)["result"]["list"]
        self.assertEqual((listed[0]["title"], listed[0]["dept_id_list"]), ("Lead", [2, 3]), "a listing shows the change")
        self.assertEqual(self.ok("user/listid", {"dept_id": 3}, self.token)["result"]["userid_list"], ["zhangsan"])
        self.ok("v2/user/update", {"userid": "zhangsan", "dept_id_list": [3]}, self.token)
        self.assertEqual(self.ok("user/listid", {"dept_id": 2}, self.token)["result"]["userid_list"], [])
        self.refused("v2/user/update", {"userid": "nobody", "name": "x"}, 60121, self.token)
        self.ok("v2/user/delete", {"userid": "zhangsan"}, self.token)
        self.assertEqual(self.sim.control("state")["users"], [])
        self.assertEqual(self.create(mobile="13800000000", email="z@example.com")["errcode"], 0,
                         "a deleted user's mobile and e-mail are free again")

    def test_department_rules(self):
        for name, errcode in (("A-B", 60009), ("A,B", 60009), ("A，B", 60009), ("Sales", 60008), ("x" * 65, 60001)):
            self.assertEqual(self.sim.api("v2/department/create", {"name": name, "parent_id": 1}, self.token)["errcode"],
                             errcode, name)
        self.refused("v2/department/create", {"name": "Orphan", "parent_id": 999}, 60004, self.token)
        parent = 2
        for level in range(3, 16):
            parent = self.ok("v2/department/create", {"name": f"L{level}", "parent_id": parent}, self.token)["result"]["dept_id"]
        self.refused("v2/department/create", {"name": "L16", "parent_id": parent}, 60002, self.token)
        self.refused("v2/department/update", {"dept_id": 2, "parent_id": parent}, 60010, self.token)
        self.refused("v2/department/delete", {"dept_id": 1}, 60007, self.token)
        self.refused("v2/department/delete", {"dept_id": 2}, 60006, self.token)
        self.ok("v2/department/delete", {"dept_id": parent}, self.token)
        leaf = self.ok("v2/department/create", {"name": "Leaf", "parent_id": 1}, self.token)["result"]["dept_id"]
        self.ok("v2/user/update", {"userid": "zhangsan", "dept_id_list": f"2,{leaf}"}, self.token)
        self.refused("v2/department/delete", {"dept_id": leaf}, 60005, self.token)
        self.ok("v2/department/update", {"dept_id": leaf, "name": "Renamed", "parent_id": 2}, self.token)
        self.assertEqual(self.ok("v2/department/get", {"dept_id": leaf}, self.token)["result"]["parent_id"], 2)
        self.refused("v2/department/delete", {"dept_id": 999}, 60003, self.token)

    def test_a_body_that_is_not_json_is_an_invalid_parameter_and_a_bad_fixture_a_bad_request(self):
        status, answer = self.sim.raw("POST", f"/topapi/v2/user/get?access_token={self.token}", b"{not json")
        self.assertEqual((status, answer["errcode"]), (200, 400002))
        shared = {"users": [{"id": "a", "name": "A", "mobile": "+86 13800000001", "departments": ["1"]},
                            {"id": "b", "name": "B", "mobile": "+86 13800000001", "departments": ["1"]}]}
        status, answer = self.sim.raw("POST", "/_sim/load", shared)
        self.assertEqual(status, 400)
        self.assertIn("share a mobile", answer["error"])

    def test_topapi_wants_post_and_a_known_api_name(self):
        status, answer = self.sim.raw("GET", f"/topapi/v2/user/get?access_token={self.token}&userid=zhangsan")
        self.assertEqual((status, answer["errcode"]), (200, 43002))
        answer = self.sim.api("v2/user/notexist", {}, self.token)
        self.assertEqual((answer["errcode"], answer["sub_msg"]), (22, "不合法ApiName，ApiName = dingtalk.oapi.v2.user.notexist"))

    def test_form_encoded_bodies_are_read_like_json_ones(self):
        data = urllib.parse.urlencode({"access_token": self.token, "dept_id": 2, "cursor": 0, "size": 10}).encode()
        status, answer = self.sim.raw("POST", "/topapi/v2/user/list", data,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, answer["errcode"], answer["result"]["list"][0]["userid"]), (200, 0, "zhangsan"))


class Receiver:
    """An event receiver as a DingTalk app writes one: check the signature, decrypt for the app
    key, answer the encrypted "success" (or, when told to, something DingTalk refuses)."""

    def __init__(self, answer="encrypted"):
        self.events, self.problems, self.answer = [], [], answer
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_KEY)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    plain = receiver.crypto.decrypt_message({"Encrypt": body["encrypt"]}, query["msg_signature"],
                                                            query["timestamp"], query["nonce"])
                    receiver.events.append((json.loads(plain), query))
                except Exception as error:  # recorded for the test to see
                    receiver.problems.append(repr(error))
                if receiver.answer != "plain":
                    encrypted = PrpCrypto(receiver.crypto.key).encrypt(
                        "success", "someone-else" if receiver.answer == "other-receiver" else APP_KEY).decode()
                    timestamp, nonce = str(int(time.time() * 1000)), "n0nce"
                    signature = _get_signature(TOKEN, timestamp, nonce, encrypted)
                    if receiver.answer == "bad-signature":
                        signature = _get_signature("not-the-token", timestamp, nonce, encrypted)
                    reply = json.dumps({"msg_signature": signature, "timeStamp": timestamp, "nonce": nonce,
                                        "encrypt": encrypted}).encode()
                else:
                    reply = b"success"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/dingtalk/events" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class CallbackTests(DingTalkTestCase):
    def setUp(self):
        super().setUp()
        self.sim.control("load", {"departments": [{"id": "2", "name": "Sales", "parent": "1"}],
                                  "users": [{"id": "zhangsan", "name": "张三", "mobile": "+86 13800000000", "departments": ["2"]}]})

    def receiver(self, answer="encrypted"):
        receiver = Receiver(answer)
        self.addCleanup(receiver.close)
        return receiver

    def wait_deliveries(self, count):
        started = time.monotonic()
        while time.monotonic() - started < BOUND:
            deliveries = self.sim.control("deliveries")["deliveries"]
            if len(deliveries) >= count:
                return deliveries
            time.sleep(0.02)  # polling interval of a bounded wait, not a fixed delay
        self.fail(f"fewer than {count} deliveries within {BOUND} s")

    def test_check_url_handshake_then_signed_encrypted_contact_events(self):
        receiver = self.receiver()
        registered = self.sim.control("callback", {"url": receiver.url})
        self.assertEqual(registered, {"url": receiver.url, "verified": True})
        self.assertEqual(receiver.events[0][0], {"EventType": "check_url"})
        self.assertEqual(len(receiver.events[0][1]["timestamp"]), 13, "milliseconds")
        actions = [("create_department", {"id": "3", "name": "Support", "parent": "2"}),
                   ("create_user", {"id": "lisi", "name": "李四", "mobile": "+86 13900000000", "departments": ["3"]}),
                   ("update_user", {"id": "lisi", "departments": ["2", "3"]}),
                   ("update_department", {"id": "3", "parent": "1"}),
                   ("delete_user", {"id": "lisi"}),
                   ("delete_department", {"id": "3"})]
        for action, payload in actions:
            status, answer = self.sim.raw("POST", "/_sim/admin/" + action, payload)
            self.assertEqual(status, 200, answer)
        deliveries = self.wait_deliveries(1 + len(actions))
        self.assertTrue(all(d["accepted"] for d in deliveries), deliveries)
        self.assertEqual(receiver.problems, [])
        events = [event for event, _ in receiver.events[1:]]
        self.assertEqual([e["EventType"] for e in events], ["org_dept_create", "user_add_org", "user_modify_org",
                                                             "org_dept_modify", "user_leave_org", "org_dept_remove"])
        self.assertEqual([e.get("userId", e.get("deptId")) for e in events], [[3], ["lisi"], ["lisi"], [3], ["lisi"], [3]])
        self.assertEqual(len({e["eventId"] for e in events}), len(events), "event ids are unique")
        self.assertTrue(all(e["CorpId"] == CORP_ID and isinstance(e["EventTime"], int) for e in events))
        self.assertEqual(self.sim.control("state")["departments"], [{"id": "2", "name": "Sales", "parent": "1", "order": 0}])

    def test_an_api_write_sends_its_event_too(self):
        receiver = self.receiver()
        self.sim.control("callback", {"url": receiver.url})
        self.ok("v2/user/update", {"userid": "zhangsan", "name": "张三丰"})
        self.wait_deliveries(2)
        self.assertEqual(receiver.events[-1][0]["EventType"], "user_modify_org")

    def test_a_url_that_does_not_answer_the_encrypted_success_is_not_registered(self):
        receiver = self.receiver(answer="plain")
        registered = self.sim.control("callback", {"url": receiver.url})
        self.assertFalse(registered["verified"])
        self.assertIn("not the JSON of an encrypted success", registered["problem"])
        self.sim.raw("POST", "/_sim/admin/delete_user", {"id": "zhangsan"})
        self.assertEqual(len(receiver.events), 1, "no events go to an unverified URL")

    def test_answers_encrypted_for_another_receiver_or_badly_signed_are_refused(self):
        for answer, problem in (("other-receiver", "encrypted for 'someone-else'"), ("bad-signature", "msg_signature")):
            registered = self.sim.control("callback", {"url": self.receiver(answer).url})
            self.assertFalse(registered["verified"], answer)
            self.assertIn(problem, registered["problem"])
        receiver = self.receiver()
        self.sim.control("callback", {"url": receiver.url})
        receiver.answer = "other-receiver"
        self.sim.raw("POST", "/_sim/admin/delete_user", {"id": "zhangsan"})
        delivery = self.wait_deliveries(4)[-1]
        self.assertFalse(delivery["accepted"])
        self.assertIn("encrypted for", delivery["problem"])

    def test_console_changes_follow_the_apis_rules(self):
        status, answer = self.sim.raw("POST", "/_sim/admin/create_user",
                                      {"id": "x", "name": "X", "mobile": "+86 13800000000", "departments": ["2"]})
        self.assertEqual((status, answer["errcode"]), (400, 60104))
        status, answer = self.sim.raw("POST", "/_sim/admin/delete_department", {"id": "2"})
        self.assertEqual((status, answer["errcode"]), (400, 60005))


if __name__ == "__main__":
    unittest.main()
