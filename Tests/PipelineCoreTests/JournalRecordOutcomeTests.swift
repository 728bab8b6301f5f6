import Connectors
import Directory
@testable import PipelineCore
import Testing

/// What the journal says became of each operation of a batch: applied, parked with the
/// target's reason, refused with its reason, and the rows the mapping refused.
@Suite struct JournalRecordOutcomeTests {
    @Test func eachOperationGetsItsOutcome() {
        let applied = ResourceOp.deactivate(userID: "u1")
        let parked = ResourceOp.addMember(groupID: "g9", userID: "u1")
        let refused = ResourceOp.delete(.user, id: "u2")
        let outcome = ApplyOutcome(
            parked: [ParkedOperation(op: parked, reason: "Group g9 missing", key: "k", waitingFor: .group, waitingID: "g9")],
            quarantined: [QuarantinedResource(kind: "User", id: "u2", reason: "the target refused the delete")])
        let records = JournalRecord.records(
            of: [applied, parked, refused], outcome: outcome,
            unmapped: [QuarantinedResource(kind: "User", id: "u3", reason: "column email: not text")], keepValues: false)
        #expect(records.map(\.outcome) == [.applied, .parked, .quarantined, .quarantined])
        #expect(records.map(\.action) == ["deactivate", "addMember", "delete", "map"])
        #expect(records[1].reason == "Group g9 missing")
        #expect(records[1].id == "g9" && records[1].relatedID == "u1")
        #expect(records[2].reason == "the target refused the delete")
        #expect(records[3].id == "u3")
    }
}
