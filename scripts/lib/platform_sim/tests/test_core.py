"""The shared simulator machinery: routing, tokens, rate limits, the control API."""

import argparse
import json
import threading
import unittest
import urllib.request

from platform_sim import core


class EchoPlatform(core.Platform):
    name = "echo"

    def routes(self, router):
        router.add("GET", "/things/{id}", lambda r: core.Response(200, {"id": r.params["id"], "q": r.query}), api="thing.get")

    def load(self, directory):
        self.directory = directory

    def state(self):
        return getattr(self, "directory", {})


def options(**kw):
    return argparse.Namespace(token_ttl=kw.get("ttl", 7200))


class CoreTests(unittest.TestCase):
    def setUp(self):
        self.platform = EchoPlatform(options())
        self.server = core.make_server(self.platform)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=10) as answer:
            return answer.status, json.loads(answer.read())

    def post(self, path, body):
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())

    def test_routes_decode_parameters_and_count_requests(self):
        self.assertEqual(self.get("/things/a%2Fb?x=1"), (200, {"id": "a/b", "q": {"x": "1"}}))
        self.assertEqual(self.get("/_sim/requests")[1]["counts"], {"thing.get": 1})

    def test_unknown_path_is_404_and_wrong_method_405(self):
        for method, path, status in (("GET", "/nothing", 404), ("POST", "/things/1", 405)):
            request = urllib.request.Request(self.base + path, data=b"" if method == "POST" else None, method=method)
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(request, timeout=10)
            self.assertEqual(caught.exception.code, status)

    def test_load_and_state_round_trip(self):
        self.post("/_sim/load", {"users": [{"id": "u1"}]})
        self.assertEqual(self.get("/_sim/state")[1], {"users": [{"id": "u1"}]})

    def test_tokens_expire_on_demand(self):
        token, ttl = self.platform.tokens.issue("app")
        self.assertEqual((self.platform.tokens.check(token), ttl), (("ok", "app"), 7200))
        self.post("/_sim/expire-tokens", {})
        self.assertEqual(self.platform.tokens.check(token), ("expired", "app"))
        self.assertEqual(self.platform.tokens.check("forged")[0], "invalid")
        self.assertEqual(self.platform.tokens.check(None)[0], "missing")

    def test_rate_limit_admits_the_burst_then_says_how_long_to_wait(self):
        limiter = core.RateLimiter({"api": [(3, 1.0)]})
        self.assertEqual([limiter.take("app", "api") for _ in range(3)], [0.0, 0.0, 0.0])
        wait = limiter.take("app", "api")
        self.assertGreater(wait, 0.2)
        self.assertLessEqual(wait, 1 / 3 + 0.01)
        self.assertEqual(limiter.take("other-app", "api"), 0.0, "buckets are per app")
        self.assertEqual(limiter.take("app", "unlimited"), 0.0)
        self.assertEqual(limiter.limited, 1)

    def test_faults_answer_a_given_number_of_times(self):
        self.post("/_sim/fault", {"api": "thing.get", "times": 2, "answer": {"errcode": -1}})
        self.assertEqual([self.platform.take_fault("thing.get") is not None for _ in range(3)], [True, True, False])


if __name__ == "__main__":
    unittest.main()
