import ChatDirectories
import Connectors
import Logging
import SCIM
import TestSupport
import Testing

/// A platform answer that comes a byte at a time never ends the HTTP client's reads: each
/// client bounds the whole answer, and the read fails with why instead of hanging.
@Suite struct PlatformTimeLimitTests {
    static let trickling = ScriptedProvider.Reply(
        status: 200, body: #"{"errcode":0,"errmsg":"ok","result":{"has_more":false,"list":[]}}"#, trickle: .milliseconds(200))

    @Test func aDingTalkAnswerThatTricklesInFailsTheCall() async throws {
        let platform = try await ScriptedProvider([
            .init(status: 200, body: #"{"errcode":0,"errmsg":"ok","access_token":"tok","expires_in":7200}"#), Self.trickling,
        ])
        let client = DingTalkClient(
            baseURL: platform.url, appKey: "key", appSecret: "secret-under-test", timeout: .milliseconds(500),
            logger: Logger(label: "test"))
        // The limit's own error: the whole answer (14 s of trickling) would have been read
        // otherwise. No clock is checked: a loaded test run can hold any task for seconds.
        await #expect {
            _ = try await client.call(api: "dingtalk.oapi.v2.user.list", path: "/topapi/v2/user/list", body: ["dept_id": 1])
        } throws: { error in
            "\(error)".contains("no whole answer within 0.5 seconds")
        }
    }

    @Test func aFeishuAnswerThatTricklesInFailsTheCall() async throws {
        let platform = try await ScriptedProvider([
            .init(status: 200, body: #"{"code":0,"msg":"ok","tenant_access_token":"tok","expire":7200}"#),
            .init(status: 200, body: #"{"code":0,"msg":"success","data":{"has_more":false,"items":[]}}"#, trickle: .milliseconds(200)),
        ])
        let client = FeishuClient(
            baseURL: platform.url, appID: "app", appSecret: "secret-under-test", timeout: .milliseconds(500),
            logger: Logger(label: "test"))
        await #expect {
            _ = try await client.get(api: "contact.v3.department.children", path: "/open-apis/contact/v3/departments/0/children", query: [])
        } throws: { error in
            "\(error)".contains("no whole answer within 0.5 seconds")
        }
    }
}

/// What DingTalk's answers say when they are not what its documents describe.
@Suite struct DingTalkAnswerShapeTests {
    /// Answers that are not JSON are taken for DingTalk's throttling while the attempts last,
    /// then reported as what they are.
    @Test func answersThatAreNotJSONAreReportedAsSuch() async throws {
        let platform = try await ScriptedProvider([
            .init(status: 200, body: #"{"errcode":0,"errmsg":"ok","access_token":"tok","expires_in":7200}"#),
            .init(status: 200, body: "<html><body>Bad gateway</body></html>"),
        ])
        let client = DingTalkClient(
            baseURL: platform.url, appKey: "key", appSecret: "secret-under-test",
            retry: LimitRetry(backoff: Backoff(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5)), maximumAttempts: 3),
            logger: Logger(label: "test"))
        await #expect {
            _ = try await client.call(api: "dingtalk.oapi.v2.user.list", path: "/topapi/v2/user/list", body: ["dept_id": 1])
        } throws: { error in
            "\(error)".contains("not JSON (HTTP 200), 3 times: DingTalk's throttling answers so")
        }
    }
}
