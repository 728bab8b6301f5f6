import ChatDirectories
import Testing

/// `scimsync check`'s probe of each chat platform target, against the platform's simulator:
/// every check passes as started, and a missing department or a refused secret is named by its
/// key path (never with a secret).
@Suite struct ChatTargetProbeTests {
    @Test(arguments: ChatTargetPlatform.allCases)
    func theProbeNamesWhatIsWrong(_ platform: ChatTargetPlatform) async throws {
        let fixture = try await platform.fixture.start()
        let statuses = platform.fixture.probeStatuses
        let checks = await fixture.probe(.asStarted)
        #expect(checks.map(\.status) == statuses[.asStarted], "\(checks)")

        let missing = await fixture.probe(.missingDefaultDepartment)
        #expect(missing.map(\.status) == statuses[.missingDefaultDepartment], "\(missing)")
        let key = "target.\(platform.fixture.kind).defaultDepartment"
        #expect(missing.first { $0.status == .failed }?.detail.contains(key) == true, "\(missing)")

        let refused = await fixture.probe(.wrongSecret)
        #expect(refused.map(\.status) == statuses[.wrongSecret], "\(refused)")
        let failure = refused.first { $0.status == .failed }
        #expect(failure?.detail.contains(platform.fixture.codes.wrongSecret) == true, "\(refused)")
        for secret in fixture.secrets + ["wrong-secret"] {
            #expect(!refused.contains { $0.detail.contains(secret) }, "a secret reached the probe's checks")
        }
    }
}
