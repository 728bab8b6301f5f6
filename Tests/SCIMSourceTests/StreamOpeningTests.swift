import Connectors
import Logging
import TestSupport
import Testing

@testable import SCIMSource

/// Opening a pull's stream (a restart with a stored watermark) against a provider whose
/// answer cannot be used now: the pipeline retries it, as it retries a full pull that fails,
/// instead of stopping until the daemon restarts.
@Suite struct StreamOpeningTests {
    @Test func anUnusableAnswerAtOpeningIsRetried() async throws {
        let provider = try await ScriptedProvider([.init(status: 200, body: "<html>maintenance</html>")])
        let connector = try SCIMPullConnector(
            .init(url: provider.url + "/scim/v2", token: "t0ken-under-test", pageSize: 100, interval: .seconds(3600), poll: nil),
            logger: Logger(label: "test"))
        await #expect {
            _ = try await connector.openStream(from: .token("2026-12-01T00:00:00Z"))
        } throws: { error in
            guard case SourceFailure.unavailable(let reason) = error else { return false }
            return reason.contains("ServiceProviderConfig") && !reason.contains("t0ken")
        }
    }
}
