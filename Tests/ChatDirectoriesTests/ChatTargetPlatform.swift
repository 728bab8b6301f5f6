import ChatDirectories
import Directory
import Foundation

/// One of the three chat platforms as a target, for the tests that run the same scenario
/// against each simulator: its simulator started with an app of the test's own, the target
/// block of its example configuration, and its directory as `GET /_sim/state` shows it.
enum ChatTargetPlatform: String, CaseIterable, Sendable, CustomStringConvertible {
    case dingtalk, wecom, feishu

    var description: String { rawValue }

    /// A running simulator, held by the closures: it stops when the last of them is released.
    struct Running: Sendable {
        /// The variables the example configurations read for this platform's target block.
        let environment: [String: String]
        /// Departments as `name|parent name`, users as `id|name|department names`, sorted.
        let state: @Sendable () async throws -> (departments: [String], users: [String])
        /// A target on the simulator alone (its ids kept in memory), applying one batch.
        let target: @Sendable () -> @Sendable ([ResourceOp]) async throws -> ChatTargetReport
    }

    func start() async throws -> Running {
        let fixture = try await self.fixture.start()
        return Running(
            environment: fixture.exampleEnvironment,
            state: {
                let state = try await fixture.state()
                return (state.departments, state.users)
            },
            target: {
                let target = fixture.target(ids: MemoryChatTargetIDs())
                return { try await target.apply($0) }
            })
    }

    /// The platform's user id for a source id (the source id itself where the platform takes it).
    func userID(_ sourceID: String) -> String {
        fixture.userID(forSourceID: sourceID)
    }

    /// The most departments a user may be in (DingTalk and WeCom 100, Feishu 50).
    var departmentLimit: Int {
        switch self {
        case .dingtalk, .wecom: 100
        case .feishu: 50
        }
    }

    /// The `target:` block of config/<platform>-from-mariadb.yaml: the same target whatever
    /// the source.
    func exampleTargetBlock() throws -> String {
        let file = "config/\(rawValue)-from-mariadb.yaml"
        return try Self.targetBlock(in: try String(contentsOfFile: FeishuSim.repositoryRoot + "/" + file, encoding: .utf8), of: file)
    }

    /// A configuration's `target:` block, to the line before `onDelete:`.
    static func targetBlock(in text: String, of file: String) throws -> String {
        guard let start = text.range(of: "    target:\n"), let end = text.range(of: "    onDelete:", range: start.upperBound..<text.endIndex)
        else { throw ExampleWithoutTarget(file: file) }
        return String(text[start.lowerBound..<end.lowerBound])
    }
}

struct ExampleWithoutTarget: Error, CustomStringConvertible {
    var file: String
    var description: String { "\(file) has no target block before onDelete" }
}
