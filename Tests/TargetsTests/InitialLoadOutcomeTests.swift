import Connectors
import Directory
import SCIM
import Testing

@testable import Targets

/// A first load keeps going past rows the target refuses and references it cannot satisfy:
/// they come back (quarantined, parked) for the pipeline to keep and report, and everything
/// else is loaded.
@Suite struct InitialLoadOutcomeTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, mariaDB
        var testDescription: String { rawValue }
    }

    /// On MariaDB the memberships go in without the server's foreign key checks, and the check
    /// made once after the phase parks those whose user or group is missing.
    @Test(arguments: Backend.allCases)
    func refusedRowsAndMissingGroupsComeBackAndTheRestLoads(_ backend: Backend) throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database =
            switch backend {
            case .sqlite: try TargetUnderTest.sqlite(layout)
            case .mariaDB: try TargetUnderTest.mariaDB(layout, allowsLocalInfile: true)
            }
        let target = try ApplyNeverBlocksTests.createTables(database)
        var longTitle = ApplyNeverBlocksTests.user("E", login: "e")
        longTitle.attributes["title"] = "Principal Distinguished Engineer"
        func phase(_ name: String, creates: Bool, _ ops: [ResourceOp]) -> LoadPhase {
            LoadPhase(name: name, creates: creates) {
                var chunks = [ops]
                return { chunks.isEmpty ? nil : chunks.removeFirst() }
            }
        }
        let outcome = try InitialLoad.run([
            phase("groups", creates: true, [.create(.group, Portal.group("g1", "Engineering"))]),
            phase("users", creates: true, [
                .create(.user, ApplyNeverBlocksTests.user("A", login: "a")), .create(.user, longTitle),
            ]),
            phase("memberships", creates: false, [
                .addMember(groupID: "g1", userID: "A"), .addMember(groupID: "g9", userID: "A"),
                .addMember(groupID: "g1", userID: "E"),
            ]),
        ], target: target)
        #expect(outcome.quarantined.map { "\($0.kind) \($0.id)" } == ["User E"])
        #expect(
            outcome.parked.map { "\($0.waitingFor.rawValue) \($0.waitingID)" }.sorted() == ["Group g9", "User E"])
        #expect(try database.rows(database.layout.users.table, ["id", "login"]) == [["A", "a"]])
        #expect(try database.rows(try #require(database.layout.membership?.table), ["group_id", "user_id"]) == [["g1", "A"]])
    }
}
