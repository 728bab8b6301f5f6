import ChatDirectories
import Directory
import SCIM
import Testing
import TestSupport

/// Each platform caps the departments of one user (DingTalk and WeCom 100, errcode 60110;
/// Feishu 50, code 41033). The target refuses the membership past the cap before sending it:
/// that membership is quarantined with the limit and the platform's code, the rest of the
/// batch applies, and the user keeps the departments it had, no more (nothing half-written).
@Suite struct DepartmentLimitTests {
    static func user(_ id: String, _ name: String, mobile: String) -> SCIMResource {
        SCIMResource([
            "id": .string(id), "displayName": .string(name), "phoneNumbers": [["type": "work", "value": .string(mobile)]],
        ])
    }

    static func group(_ index: Int) -> SCIMResource {
        SCIMResource(["id": .string("g\(index)"), "displayName": .string("Team \(index)")])
    }

    /// The reason the platform's target gives for a membership past the cap.
    static func limitReason(_ platform: ChatTargetPlatform) -> String {
        switch platform {
        case .dingtalk: "DingTalk allows a user 100 departments at most (errcode 60110)"
        case .wecom: "WeCom allows a user 100 departments at most (errcode 60110)"
        case .feishu: "Feishu allows a user 50 departments at most (code 41033)"
        }
    }

    @Test(arguments: ChatTargetPlatform.allCases)
    func aMembershipPastTheLimitIsRefusedAndTheRestApplies(_ platform: ChatTargetPlatform) async throws {
        let sim = try await platform.start()
        let apply = sim.target()
        let limit = platform.departmentLimit
        #expect(limit == Self.expectedLimit(platform))
        let teams = (1...limit + 1).map { "Team \($0)" }

        // u1 in exactly `limit` departments, u2 in one: within every cap.
        let first = try await apply(
            ResourceOp.ordered(
                (1...limit + 1).map { .create(.group, Self.group($0)) }
                    + [
                        .create(.user, Self.user("u1", "One", mobile: "+86 13900000001")),
                        .create(.user, Self.user("u2", "Two", mobile: "+86 13900000002")),
                        .addMember(groupID: "g1", userID: "u2"),
                    ] + (1...limit).map { .addMember(groupID: "g\($0)", userID: "u1") }))
        #expect(first.refused.isEmpty && first.parked.isEmpty, "\(platform): \(first)")
        let loaded = try await sim.state()
        let u1Line = "u1|One|" + teams.prefix(limit).sorted().joined(separator: ",")
        #expect(loaded.users == [u1Line, "u2|Two|Team 1"], "\(platform): \(loaded.users.map { $0.prefix(80) })")
        #expect(loaded.departments.count == limit + 1)

        // One more department for u1 (past the cap), and changes to u2 in the same batch.
        let second = try await apply(
            ResourceOp.ordered([
                .patch(.user, id: "u2", [PatchOperation(op: .replace, path: try AttributePath.parse("displayName"), value: "Two Renamed")]),
                .addMember(groupID: "g\(limit + 1)", userID: "u1"),
                .addMember(groupID: "g\(limit + 1)", userID: "u2"),
            ]))
        #expect(second.refused.map(\.subject) == [.membership(groupID: "g\(limit + 1)", userID: "u1")], "\(platform): \(second)")
        let reason = second.refused.first?.reason ?? ""
        #expect(reason == Self.limitReason(platform), "\(platform): \(reason)")
        #expect(second.parked.isEmpty, "\(platform): \(second)")
        let after = try await sim.state()
        // u1 as before; u2 renamed and in its new department.
        #expect(after.users == [u1Line, "u2|Two Renamed|" + ["Team 1", "Team \(limit + 1)"].sorted().joined(separator: ",")], "\(platform): \(after.users.map { $0.prefix(80) })")

        // A new user given one department too many in its first batch: created in the first
        // `limit`, the last refused.
        let third = try await apply(
            ResourceOp.ordered(
                [.create(.user, Self.user("u3", "Three", mobile: "+86 13900000003"))]
                    + (1...limit + 1).map { .addMember(groupID: "g\($0)", userID: "u3") }))
        #expect(third.refused.map(\.subject) == [.membership(groupID: "g\(limit + 1)", userID: "u3")], "\(platform): \(third)")
        #expect(third.refused.first?.reason == Self.limitReason(platform))
        let created = try await sim.state()
        let u3 = created.users.first { $0.hasPrefix("u3|") } ?? ""
        #expect(u3 == "u3|Three|" + teams.prefix(limit).sorted().joined(separator: ","), "\(platform): \(u3.prefix(80))")
    }

    /// The caps the platforms document, apart from the targets' own constants.
    static func expectedLimit(_ platform: ChatTargetPlatform) -> Int {
        switch platform {
        case .dingtalk: DingTalkTarget.maxDepartmentsPerUser
        case .wecom: WeComTarget.maxDepartmentsPerUser
        case .feishu: FeishuTarget.maxDepartmentsPerUser
        }
    }
}
