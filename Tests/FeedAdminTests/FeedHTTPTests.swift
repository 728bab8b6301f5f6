import Config
import Daemon
import FeedAdmin
import FeedSource
import Logging
import NIOHTTP1
import TestSupport
import Foundation
import Testing

/// The feed routes of the admin server over real sockets: uploads (multipart and one file per
/// request), the token, listing, showing, approving, cancelling and downloading.
@Suite("admin server: feed routes")
struct FeedHTTPTests {
    @Test func aMultipartUploadWithTheTokenStagesARun() async throws {
        let fixture = try FeedFixture()
        let tsv = FeedFixture.tsv([FeedFixture.alice, FeedFixture.bob])
        try await AdminHTTP.with(fixture) { http in
            let form = AdminHTTP.multipart([("file", "users.tsv", tsv)])
            let answer = try await http.send(.POST, "/feeds/hr/runs?by=nightly", contentType: form.contentType, body: form.body)
            #expect(answer.status == 201, "\(answer.text)")
            let json = answer.json
            #expect(json["pipeline"] as? String == "hr")
            #expect(json["run"] as? Int == 1)
            // The first run waits for a person (firstRun: hold).
            #expect(json["state"] as? String == "ready")
            #expect((json["holdReason"] as? String)?.isEmpty == false, "\(answer.text)")
            #expect(json["startedBy"] as? String == "http (nightly)")
            #expect((json["counts"] as? [String: Int])?["records"] == 2, "\(answer.text)")
            let files = try #require(json["files"] as? [[String: Any]])
            #expect(files.count == 1)
            #expect(files.first?["name"] as? String == "users.tsv")
            #expect(files.first?["size"] as? Int == tsv.utf8.count)
            #expect(json["log"] as? [Any] != nil)

            // Listed and shown.
            let runs = try await http.send(.GET, "/feeds/hr/runs")
            #expect(runs.status == 200)
            #expect((runs.json["runs"] as? [[String: Any]])?.map { $0["run"] as? Int } == [1])
            let shown = try await http.send(.GET, "/feeds/hr/runs/1")
            #expect(shown.status == 200)
            #expect(shown.json["state"] as? String == "ready")

            // The file as uploaded.
            let file = try await http.send(.GET, "/feeds/hr/runs/1/files/users.tsv")
            #expect(file.status == 200)
            #expect(file.text == tsv)
            #expect(file.headers["content-type"] == "application/octet-stream")
            let names = try await http.send(.GET, "/feeds/hr/runs/1/files")
            #expect(names.json["files"] as? [String] == ["users.tsv"])
        }
        #expect(try fixture.site().runs().map(\.state) == [.ready])
    }

    @Test func severalFilesInOneRequest() async throws {
        let fixture = try FeedFixture(control: FeedFixture.twoFileControl)
        let users = FeedFixture.tsv([FeedFixture.alice])
        let contractors = FeedFixture.tsv([FeedFixture.bob, ("carol", "Carol", "carol@example.com")])
        try await AdminHTTP.with(fixture) { http in
            let form = AdminHTTP.multipart([("file", "users.tsv", users), ("file", "contractors.tsv", contractors)])
            let answer = try await http.send(.POST, "/feeds/hr/runs", contentType: form.contentType, body: form.body)
            #expect(answer.status == 201, "\(answer.text)")
            #expect((answer.json["counts"] as? [String: Int])?["records"] == 3, "\(answer.text)")
            let files = try #require(answer.json["files"] as? [[String: Any]])
            #expect(Set(files.compactMap { $0["name"] as? String }) == ["users.tsv", "contractors.tsv"])
            #expect(try await http.send(.GET, "/feeds/hr/runs/1/files/contractors.tsv").text == contractors)
            #expect(try await http.send(.GET, "/feeds/hr/runs/1/files/users.tsv").text == users)
        }
    }

    @Test func withoutTheTokenOrWithAWrongOneNothingIsStaged() async throws {
        let fixture = try FeedFixture()
        try await AdminHTTP.with(fixture) { http in
            let form = AdminHTTP.multipart([("file", "users.tsv", FeedFixture.tsv([FeedFixture.alice]))])
            for token in [nil, "wrong-token-0123456789abcdef", FeedFixture.token + "x"] {
                let answer = try await http.send(.POST, "/feeds/hr/runs", token: token, contentType: form.contentType, body: form.body)
                #expect(answer.status == 401, "\(answer.text)")
                #expect(answer.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect(answer.text.contains("http.token"), "\(answer.text)")
                #expect(!answer.text.contains(FeedFixture.token))
            }
            // Everything but health and metrics asks for it, a path that does not exist too.
            for path in ["/feeds", "/feeds/hr/runs", "/feeds/hr/runs/1/files/users.tsv", "/nothing-here"] {
                #expect(try await http.send(.GET, path, token: nil).status == 401, "\(path)")
            }
            for path in ["/healthz", "/metrics"] {
                #expect(try await http.send(.GET, path, token: nil).status == 200, "\(path)")
            }
            #expect([200, 503].contains(try await http.send(.GET, "/readyz", token: nil).status))
        }
        #expect(try fixture.site().runs().isEmpty)
    }

    @Test func oneFilePerRequest() async throws {
        let fixture = try FeedFixture()
        let tsv = FeedFixture.tsv([FeedFixture.alice])
        try await AdminHTTP.with(fixture) { http in
            let begun = try await http.send(.POST, "/feeds/hr/runs")
            #expect(begun.status == 201, "\(begun.text)")
            #expect(begun.json["state"] as? String == "uploading")
            let run = try #require(begun.json["run"] as? Int)

            let put = try await http.send(.PUT, "/feeds/hr/runs/\(run)/files/users.tsv", body: Array(tsv.utf8))
            #expect(put.status == 201, "\(put.text)")
            #expect(put.json["size"] as? Int == tsv.utf8.count)
            #expect(put.json["name"] as? String == "users.tsv")

            // A name too long to store, and one with a line break: 400, nothing stored.
            let long = try await http.send(
                .PUT, "/feeds/hr/runs/\(run)/files/\(String(repeating: "n", count: 201))", body: Array(tsv.utf8))
            #expect(long.status == 400, "\(long.text)")
            let broken = try await http.send(.PUT, "/feeds/hr/runs/\(run)/files/a%0Ab.tsv", body: Array(tsv.utf8))
            #expect(broken.status == 400, "\(broken.text)")
            #expect(!broken.text.contains("/tmp"), "\(broken.text)")
            // Who sent it: a name with a line break would forge a log line.
            let forged = try await http.send(.POST, "/feeds/hr/runs/\(run)/apply?by=a%0A2026-12-07%20critical")
            #expect(forged.status == 400, "\(forged.text)")

            // A name that would leave the run's directory.
            let escape = try await http.send(.PUT, "/feeds/hr/runs/\(run)/files/..%2Fevil.tsv", body: Array(tsv.utf8))
            #expect(escape.status == 400, "\(escape.text)")
            #expect(escape.text.contains("plain file name"), "\(escape.text)")

            let finished = try await http.send(.POST, "/feeds/hr/runs/\(run)/finish")
            #expect(finished.status == 200, "\(finished.text)")
            #expect(finished.json["state"] as? String == "ready")
            #expect((finished.json["counts"] as? [String: Int])?["records"] == 1)

            // A file cannot be added once the run is read.
            let late = try await http.send(.PUT, "/feeds/hr/runs/\(run)/files/more.tsv", body: Array(tsv.utf8))
            #expect(late.status == 409, "\(late.text)")
            // One run at a time: the first still waits for approval.
            let begunAgain = try await http.send(.POST, "/feeds/hr/runs")
            #expect(begunAgain.status == 409, "one run at a time: \(begunAgain.text)")
        }
    }

    @Test func aMalformedBodyIsRefusedWithAReason() async throws {
        let fixture = try FeedFixture()
        try await AdminHTTP.with(fixture) { http in
            let type = "multipart/form-data; boundary=B0undary"
            // A part header without a colon.
            let broken = Array("--B0undary\r\nContent-Disposition form-data\r\n\r\nx\r\n--B0undary--\r\n".utf8)
            let syntax = try await http.send(.POST, "/feeds/hr/runs", contentType: type, body: broken)
            #expect(syntax.status == 400, "\(syntax.text)")
            #expect((syntax.json["error"] as? String)?.contains("not valid multipart/form-data") == true, "\(syntax.text)")

            // No boundary at all in the body.
            let none = try await http.send(.POST, "/feeds/hr/runs", contentType: type, body: Array("login\tfirst\n".utf8))
            #expect(none.status == 400, "\(none.text)")
            #expect((none.json["error"] as? String)?.contains("no multipart/form-data part") == true, "\(none.text)")

            // No boundary parameter; not multipart.
            let noBoundary = try await http.send(.POST, "/feeds/hr/runs", contentType: "multipart/form-data", body: broken)
            #expect(noBoundary.status == 400, "\(noBoundary.text)")
            let plain = try await http.send(.POST, "/feeds/hr/runs", contentType: "text/plain", body: broken)
            #expect(plain.status == 415, "\(plain.text)")
            #expect((plain.json["error"] as? String)?.contains("curl -F") == true, "\(plain.text)")

            // A field without a file name, and a file name with a directory in it.
            let field = AdminHTTP.multipart([("comment", nil, "hello")])
            let fieldAnswer = try await http.send(.POST, "/feeds/hr/runs", contentType: field.contentType, body: field.body)
            #expect(fieldAnswer.status == 400, "\(fieldAnswer.text)")
            #expect(fieldAnswer.text.contains("comment"), "\(fieldAnswer.text)")
            // An empty form is not a run whose files follow one per request.
            let empty = try await http.send(.POST, "/feeds/hr/runs", contentType: type, body: [])
            #expect(empty.status == 400, "\(empty.text)")
            #expect((empty.json["error"] as? String)?.contains("holds no file") == true, "\(empty.text)")
            #expect(try fixture.site().runs().isEmpty, "refused before any file: no run")

            // Cut off inside the file: the run begun for it is cancelled.
            let cut = Array(
                "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.tsv\"\r\n\r\nlogin\tfirst\tmail\n".utf8)
            let cutAnswer = try await http.send(.POST, "/feeds/hr/runs", contentType: type, body: cut)
            #expect(cutAnswer.status == 400, "\(cutAnswer.text)")
            #expect(cutAnswer.text.contains("ended inside a part"), "\(cutAnswer.text)")
            #expect(try fixture.site().runs().map(\.state) == [.cancelled])

            // Bad run numbers and unknown feeds.
            #expect(try await http.send(.GET, "/feeds/hr/runs/abc").status == 400)
            #expect(try await http.send(.GET, "/feeds/hr/runs/99").status == 404)
            let unknown = try await http.send(.GET, "/feeds/payroll/runs")
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("hr"), "\(unknown.text)")
        }
    }

    /// A method a path does not take is a 405 that names the ones it does (RFC 9110 §15.5.6),
    /// in the API's JSON; a path no route has is a 404 that says so, to a bearer of the token.
    @Test func wrongMethodsAndUnknownPathsAreAnswered() async throws {
        let fixture = try FeedFixture()
        try await AdminHTTP.with(fixture) { http in
            let cases: [(HTTPMethod, String, String)] = [
                (.DELETE, "/feeds", "GET, HEAD"), (.PATCH, "/feeds/hr/runs", "GET, HEAD, POST"),
                (.PUT, "/feeds/hr/runs/1", "GET, HEAD"), (.GET, "/feeds/hr/runs/1/apply", "POST"),
                (.DELETE, "/feeds/hr/runs/1/files/users.tsv", "GET, HEAD, PUT"), (.OPTIONS, "/feeds/hr/users/ada", "GET, HEAD"),
            ]
            for (method, path, allow) in cases {
                let answer = try await http.send(method, path)
                #expect(answer.status == 405, "\(method) \(path): \(answer.status) \(answer.text)")
                #expect(answer.headers["allow"] == allow, "\(method) \(path)")
                #expect((answer.json["error"] as? String)?.contains(allow) == true, "\(answer.text)")
            }
            // Open paths take GET (and HEAD) alone, without a token too.
            let health = try await http.send(.DELETE, "/healthz", token: nil)
            #expect(health.status == 405 && health.headers["allow"] == "GET, HEAD", "\(health.status)")
            #expect(try await http.send(.HEAD, "/healthz", token: nil).status == 200)

            let unknown = try await http.send(.GET, "/feeds/hr/nothing/here")
            #expect(unknown.status == 404)
            #expect((unknown.json["error"] as? String)?.contains("no such path") == true, "\(unknown.text)")
            // Without the token, neither says anything about the paths.
            #expect(try await http.send(.GET, "/feeds/hr/nothing/here", token: nil).status == 401)
            #expect(try await http.send(.DELETE, "/feeds", token: nil).status == 401)
            #expect(try fixture.site().runs().isEmpty)
        }
    }

    @Test func anUploadOverTheLimitIsRefused() async throws {
        let fixture = try FeedFixture()
        try await AdminHTTP.with(fixture, maxUploadBytes: 4096) { http in
            let big = FeedFixture.tsv((0..<200).map { ("user\($0)", "First", "user\($0)@example.com") })
            let form = AdminHTTP.multipart([("file", "users.tsv", big)])
            let answer = try await http.send(.POST, "/feeds/hr/runs", contentType: form.contentType, body: form.body)
            #expect(answer.status == 413, "\(answer.text)")
            #expect(answer.text.contains("http.maxUploadSize"), "\(answer.text)")
        }
        #expect(try fixture.site().runs().allSatisfy { $0.state == .cancelled })
    }

    @Test func applyAndCancel() async throws {
        let fixture = try FeedFixture()
        try await AdminHTTP.with(fixture) { http in
            let form = AdminHTTP.multipart([("file", "users.tsv", FeedFixture.tsv([FeedFixture.alice]))])
            let first = try await http.send(.POST, "/feeds/hr/runs", contentType: form.contentType, body: form.body)
            #expect(first.status == 201, "\(first.text)")
            let applied = try await http.send(.POST, "/feeds/hr/runs/1/apply?by=carol")
            #expect(applied.status == 200, "\(applied.text)")
            #expect(applied.json["approvedBy"] as? String == "http (carol)", "\(applied.text)")
            try fixture.applyAsTheDaemonWould(1, approvedBy: "http (carol)")
            #expect(try await http.send(.GET, "/feeds/hr/runs/1").json["state"] as? String == "complete")

            // What the feed knows of alice, by any case of her name.
            let user = try await http.send(.GET, "/feeds/hr/users/ALICE")
            #expect(user.status == 200, "\(user.text)")
            #expect(user.json["userName"] as? String == "alice")
            #expect(user.json["owned"] as? Bool == true)
            #expect(user.json["inFeed"] as? Bool == true)
            #expect(user.json["lastChangedRun"] as? Int == 1)
            #expect((user.json["record"] as? [String: Any])?["mail"] as? String == "alice@example.com", "\(user.text)")
            #expect(try await http.send(.GET, "/feeds/hr/users/nobody").status == 404)

            // A second run, a third of the size: held; cancelled instead.
            let small = AdminHTTP.multipart([("file", "users.tsv", "login\tfirst\tmail\n")])
            let second = try await http.send(.POST, "/feeds/hr/runs", contentType: small.contentType, body: small.body)
            #expect(second.status == 201, "\(second.text)")
            #expect(second.json["run"] as? Int == 2)
            let cancelled = try await http.send(.POST, "/feeds/hr/runs/2/cancel")
            #expect(cancelled.status == 200, "\(cancelled.text)")
            #expect(cancelled.json["state"] as? String == "cancelled")
            // Final runs refuse both, saying why.
            let again = try await http.send(.POST, "/feeds/hr/runs/2/apply")
            #expect(again.status == 409, "\(again.text)")
            #expect(again.text.contains("cancelled"), "\(again.text)")
            #expect(try await http.send(.POST, "/feeds/hr/runs/1/cancel").status == 409)
        }
    }
}

/// Without `http.token` the admin server serves health and metrics only, whatever routes it
/// is given (the configuration refuses a feed without a token; this is the second lock).
@Suite("admin server: no token, no feed routes")
struct AdminWithoutTokenTests {
    @Test func feedRoutesAreNotServed() async throws {
        let fixture = try FeedFixture()
        let loaded = try fixture.loaded()
        let logger = Logger(label: "scimsync-test")
        let routes = FeedRoutes(sites: try FeedRoutes.sites(of: loaded), maxUploadBytes: 1 << 20, logger: logger)
        try await withListeningServer({ onServerRunning in
            AdminServer.application(
                HTTPConfig(host: "127.0.0.1", port: 0), states: PipelineStates(pipelines: ["hr"]), metrics: DaemonMetrics(),
                routes: [routes], logger: logger, onServerRunning: onServerRunning)
        }) { (port: Int) async throws in
            let http = AdminHTTP(port: port)
            #expect(try await http.send(.GET, "/feeds/hr/runs").status == 404)
            #expect(try await http.send(.GET, "/feeds/hr/runs", token: nil).status == 404)
            #expect(try await http.send(.GET, "/healthz", token: nil).status == 200)
        }
    }
}
