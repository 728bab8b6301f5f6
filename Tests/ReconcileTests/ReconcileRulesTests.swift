import Directory
import Reconcile
import SCIM
import Testing

/// The decisions of one merge-join step, without I/O: a source that maps `active` against a
/// target that does not and one that does, under both delete policies.
@Suite struct ReconcileRulesTests {
    static func map(_ entries: [(String, String)]) -> AttributeMap {
        AttributeMap(entries.map { path, column in
            AttributeMap.Entry(pathText: path, path: Self.path(path), column: column)
        })
    }

    static func path(_ text: String) -> AttributePath {
        let parts = text.split(separator: ".").map(String.init)
        return AttributePath(attribute: parts[0], subAttribute: parts.count > 1 ? parts[1] : nil)
    }

    static func layout(_ entries: [(String, String)]) -> DirectoryLayout {
        DirectoryLayout(users: UsersTable(table: "users", attributes: map(entries)))
    }

    /// The source maps a title the target does not store; the target keeps `active` the
    /// source does not map.
    static let source = layout([("id", "id"), ("userName", "login"), ("name.givenName", "first"), ("title", "title")])
    static let target = layout([("id", "id"), ("userName", "login"), ("name.givenName", "given"), ("active", "enabled")])

    static func user(_ id: String, _ given: String, title: String? = nil, active: Bool? = nil) -> DirectoryEntry {
        var object = SCIMObject()
        object["id"] = .string(id)
        object["userName"] = .string("u\(id)")
        object["name"] = .object(SCIMObject([("givenName", .string(given))]))
        if let title { object["title"] = .string(title) }
        if let active { object["active"] = .bool(active) }
        return DirectoryEntry(id: id, resource: SCIMResource(object))
    }

    func decide(
        _ step: MergeStep<DirectoryEntry, DirectoryEntry>, managed: Bool = true, onDelete: DeletePolicy = .deactivate,
        adopt: Bool = false
    ) -> (Decision, DriftReport) {
        let rules = ReconcileRules(source: Self.source, target: Self.target, onDelete: onDelete, adopt: adopt)
        var report = DriftReport()
        let decision = rules.decide(step, kind: .user, managed: managed, report: &report)
        return (decision, report)
    }

    @Test func onlyAttributesBothSidesMapAreCompared() {
        let (decision, report) = decide(.both(Self.user("1", "Ann", title: "Boss"), Self.user("1", "Ann", active: true)))
        #expect(decision.ops.isEmpty, "the title is not stored by the target: no drift")
        #expect(report.differences.isEmpty)
        let (patch, detail) = decide(.both(Self.user("1", "Ann"), Self.user("1", "Anne", active: true)))
        #expect(patch.ops == [.patch(.user, id: "1", [PatchOperation(op: .replace, path: Self.path("name.givenName"), value: "Ann")])])
        #expect(detail.differences.first?.attribute == "name.givenName")
        #expect(detail.differences.first?.source == "Ann")
        #expect(detail.differences.first?.target == "Anne")
    }

    @Test func aUserWhoIsBackIsReactivatedOnlyUnderDeactivate() {
        let step = MergeStep<DirectoryEntry, DirectoryEntry>.both(Self.user("1", "Ann"), Self.user("1", "Ann", active: false))
        #expect(decide(step).0.ops == [.reactivate(userID: "1")])
        #expect(decide(step, onDelete: .delete).0.ops.isEmpty, "not scimsync's doing under delete")
    }

    @Test func targetOnlyRowsFollowTheDeletePolicyAndOwnership() {
        let gone = MergeStep<DirectoryEntry, DirectoryEntry>.target(Self.user("9", "Gus", active: true))
        #expect(decide(gone).0.ops == [.deactivate(userID: "9")])
        #expect(decide(gone, onDelete: .delete).0 == Decision(ops: [.delete(.user, id: "9")], removed: true))
        let inactive = MergeStep<DirectoryEntry, DirectoryEntry>.target(Self.user("9", "Gus", active: false))
        #expect(decide(inactive).0.ops.isEmpty, "already deactivated")
        let (unowned, report) = decide(gone, managed: false, adopt: true)
        #expect(unowned.ops.isEmpty, "adoption takes over rows matched by id only")
        #expect(report.unmanaged["User"] == 1)
    }

    @Test func unownedMatchesAreReportedOrAdopted() {
        let step = MergeStep<DirectoryEntry, DirectoryEntry>.both(Self.user("1", "Ann"), Self.user("1", "Anne", active: true))
        let (left, report) = decide(step, managed: false)
        #expect(left.ops.isEmpty)
        #expect(report.unmanaged["User"] == 1)
        #expect(report.differences.first?.managed == false)
        let (adopted, _) = decide(step, managed: false, adopt: true)
        #expect(adopted.adopted)
        #expect(adopted.ops.count == 1)
    }

    @Test func sourceOnlyRowsAreCreatedAndOwned() {
        let (decision, report) = decide(.source(Self.user("5", "Eve")))
        #expect(decision.created)
        #expect(decision.ops == [.create(.user, Self.user("5", "Eve").resource)])
        #expect(report.differences.first?.change == "missing in target")
    }

    @Test func removalLimits() {
        var report = DriftReport()
        report.sourceUsers = 90
        report.targetUsers = 100
        report.repairs[.deactivateUser] = 10
        #expect(RemovalSafety.refusal(report, limit: .percent(10)) == nil, "10 of 100 is within 10%")
        report.repairs[.deleteUser] = 1
        #expect(RemovalSafety.refusal(report, limit: .percent(10))?.contains("11") == true)
        #expect(RemovalSafety.refusal(report, limit: .count(11)) == nil)
        #expect(RemovalSafety.refusal(report, limit: .count(10)) != nil)
        var empty = DriftReport()
        empty.targetUsers = 3
        #expect(RemovalSafety.refusal(empty, limit: .count(1000))?.contains("source reads as empty") == true)
        #expect(RemovalSafety.refusal(DriftReport(), limit: .percent(10)) == nil, "both empty: nothing to refuse")
    }
}

extension ReconcileRulesTests {
    /// The given name an entry carries.
    static func givenName(_ entry: DirectoryEntry) -> String? {
        entry.resource.attributes["name"]?.objectValue?["givenName"]?.stringValue
    }
}
