import Connectors
import Directory
import SCIM
import TestSupport
import Testing

@testable import SQLServerSource

/// The change-tracking stream against the TDS test double (scripts/sqlserver-peer).
@Suite struct ChangeTrackingStreamTests {
    @Test func streamsUsersGroupsParentsAndMemberships() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        let stream = try await connector.openStream(from: start)

        try source.run("BEGIN TRANSACTION")
        try source.run("INSERT INTO sync_groups (id, name, parent_id) VALUES (5, N'Ops', 2)")
        try source.run(
            "INSERT INTO sync_users (id, username, first_name, email, is_active) VALUES (10, N'nnew', N'Nia', N'n@example.com', 1)")
        try source.run("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (10, 5)")
        try source.run("UPDATE sync_users SET first_name = N'Barb' WHERE id = 1")
        try source.run("UPDATE sync_users SET updated_at = SYSUTCDATETIME() WHERE id = 2")
        try source.run("DELETE FROM sync_users_groups_rel WHERE user_id = 4")
        try source.run("DELETE FROM sync_users WHERE id = 4")
        try source.run("UPDATE sync_groups SET parent_id = NULL WHERE id = 3")
        try source.run("COMMIT TRANSACTION")

        let (ops, positions) = try await collect(stream) { $0.contains(.delete(.user, id: "4")) }
        #expect(ops.contains { if case .create(.group, let group) = $0 { group.id == "5" } else { false } })
        #expect(ops.contains(.moveParent(groupID: "5", parentID: "2")))
        #expect(ops.contains(.moveParent(groupID: "3", parentID: nil)))
        #expect(ops.contains { if case .create(.user, let user) = $0 { user.id == "10" } else { false } })
        #expect(ops.contains(.addMember(groupID: "5", userID: "10")))
        #expect(ops.contains(.removeMember(groupID: "3", userID: "4")))
        // The patch carries the one attribute that changed; the unmapped column makes nothing.
        let patches = ops.compactMap { op -> (String, [PatchOperation])? in
            if case .patch(.user, let id, let operations) = op { (id, operations) } else { nil }
        }
        #expect(patches.count == 1)
        #expect(patches.first?.0 == "1")
        #expect(patches.first?.1 == [PatchOperation(op: .replace, path: AttributePath(attribute: "name", subAttribute: "givenName"), value: "Barb")])
        #expect(!ops.contains { "\($0)".contains("\"2\"") && "\($0)".contains("patch") })
        // Apply order: the group before its parent move, the user before its membership.
        let order = ops.map { "\($0)" }
        if let group = ops.firstIndex(where: { if case .create(.group, _) = $0 { true } else { false } }),
            let member = ops.firstIndex(of: .addMember(groupID: "5", userID: "10"))
        {
            #expect(group < member, "\(order)")
        }
        guard case .changeTracking(let first) = start, case .changeTracking(let last)? = positions.last else {
            Issue.record("positions \(positions)")
            return
        }
        #expect(last > first)
    }

    @Test func aChangedIDIsADeleteAndACreate() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        let stream = try await connector.openStream(from: start)
        try source.run("BEGIN TRANSACTION")
        try source.run("UPDATE sync_users SET id = 50 WHERE id = 2")
        try source.run("UPDATE sync_users_groups_rel SET user_id = 50 WHERE user_id = 2")
        try source.run("COMMIT TRANSACTION")
        let (ops, _) = try await collect(stream) { $0.contains(.addMember(groupID: "2", userID: "50")) }
        let kinds = ops.map { op -> String in
            switch op {
            case .create(let kind, let resource): "create \(kind.rawValue) \(resource.id ?? "")"
            default: "\(op)"
            }
        }
        #expect(
            kinds == [
                "\(ResourceOp.removeMember(groupID: "2", userID: "2"))", "\(ResourceOp.delete(.user, id: "2"))", "create User 50",
                "\(ResourceOp.addMember(groupID: "2", userID: "50"))",
            ])
    }

    @Test func anUpdateOfAnUnmappedColumnOnlyMovesThePosition() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        let stream = try await connector.openStream(from: start)
        try source.run("UPDATE sync_users SET updated_at = SYSUTCDATETIME() WHERE id = 1")
        guard case .batch(let batch)? = try await stream.next() else {
            Issue.record("expected a batch")
            return
        }
        #expect(batch.ops.isEmpty)
        #expect(batch.rowCount == 1)
        #expect(batch.position != start)
    }

    @Test func truncateWhileStoppedLosesThePosition() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        // TRUNCATE raises the table's minimum valid version to the current version: a reader
        // that read up to an older one has lost it.
        try source.run("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (1, 2)")
        try source.run("TRUNCATE TABLE sync_users_groups_rel")
        let stream = try await connector.openStream(from: start)
        await #expect {
            _ = try await stream.next()
        } throws: { error in
            guard case SourceFailure.positionLost(let reason) = error else { return false }
            return reason.contains("[dbo].[sync_users_groups_rel]")
        }
    }

    /// A table truncated, or its change tracking switched off and on, while the stream is
    /// caught up: its minimum valid version becomes the stream's own version, which change
    /// tracking's own test lets through; the moved minimum is a lost position.
    @Test(arguments: [
        "TRUNCATE TABLE sync_users_groups_rel",
        "ALTER TABLE sync_users DISABLE CHANGE_TRACKING; UPDATE sync_users SET job_title = N'Unseen' WHERE id = 2; "
            + "ALTER TABLE sync_users ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)",
    ])
    func aTableWhoseHistoryStartsAgainWhileCaughtUpLosesThePosition(_ statement: String) async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        let stream = try await connector.openStream(from: start)
        try source.run("UPDATE sync_users SET first_name = N'Barb' WHERE id = 1")
        let (ops, _) = try await collect(stream) { !$0.isEmpty }
        #expect(!ops.isEmpty, "the first change was not streamed")
        try source.run(statement)
        // A stream that never sees the loss polls on: stopped after the bound, it ends. (Its
        // stop only sets a flag the next poll reads.)
        nonisolated(unsafe) let polling = stream
        let bound = Task {
            try await Task.sleep(for: TestBounds.serverEvent)
            await polling.stop()
        }
        defer { bound.cancel() }
        await #expect {
            while try await stream.next() != nil {}
        } throws: { error in
            guard case SourceFailure.positionLost(let reason) = error else { return false }
            return reason.contains("starts again at version")
        }
    }

    /// A table whose change tracking was off, or whose mapped column went away, fits again
    /// once fixed: the check names the table at fault, and nothing once it is fixed.
    @Test func aUsersTableFixedFitsTheMappingAgain() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        try source.run("ALTER TABLE sync_users DISABLE CHANGE_TRACKING")
        let problem = try #require(try await connector.mappingProblem())
        #expect(problem.contains("change tracking is off for table [dbo].[sync_users]"), "\(problem)")
        #expect(!problem.contains("sync_groups"), "\(problem)")
        try source.run("ALTER TABLE sync_users ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")
        #expect(try await connector.mappingProblem() == nil)
    }

    @Test func cleanupWhileStoppedLosesThePosition() async throws {
        let source = try SourceDatabase(retentionDays: 1)
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        try source.run("UPDATE sync_users SET job_title = N'Lead' WHERE id = 2")
        try source.run("EXEC sys.sp_peer_advance_clock 200000")
        try source.run("EXEC sys.sp_flush_CT_internal_table_on_demand")
        let stream = try await connector.openStream(from: start)
        await #expect {
            _ = try await stream.next()
        } throws: { error in
            guard case SourceFailure.positionLost(let reason) = error else { return false }
            return reason.contains("cleaned up")
        }
    }

    @Test func skipsItsEchoesAndAppliesOtherContexts() async throws {
        let source = try SourceDatabase()
        let echo = Array("scimsync:00000000000000aa".utf8)
        let connector = source.connector(echo: echo)
        let start = try await source.snapshotVersion(connector)
        let stream = try await connector.openStream(from: start)
        try source.run(
            "WITH CHANGE_TRACKING_CONTEXT (@p1) INSERT INTO sync_users (id, username) VALUES (20, N'echoed')", [.bytes(echo)])
        try source.run(
            "WITH CHANGE_TRACKING_CONTEXT (@p1) INSERT INTO sync_users (id, username) VALUES (21, N'other')",
            [.bytes(Array("scimsync:00000000000000bb".utf8))])
        try source.run("INSERT INTO sync_users (id, username) VALUES (22, N'plain')")
        let (ops, _) = try await collect(stream) { ops in
            ops.contains { if case .create(.user, let user) = $0 { user.id == "22" } else { false } }
        }
        let created = ops.compactMap { op -> String? in if case .create(.user, let user) = op { user.id } else { nil } }
        #expect(created.sorted() == ["21", "22"])
    }

    @Test func aTableWithoutChangeTrackingPausesWithTheFix() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        try source.run("ALTER TABLE sync_groups DISABLE CHANGE_TRACKING")
        let stream = try await connector.openStream(from: start)
        guard case .mappingBroken(let reason, _)? = try await stream.next() else {
            Issue.record("expected the mapping to be broken")
            return
        }
        #expect(reason.contains("ALTER TABLE [dbo].[sync_groups] ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)"))
        #expect(try await connector.mappingProblem()?.contains("sync_groups") == true)
    }

    @Test func aServerThatIsGoneIsReportedForRetry() async throws {
        let source = try SourceDatabase()
        var config = source.config
        config.port = try TestServers.refusingPort()
        let connector = SQLServerConnector(.init(connection: config, layout: SeedLayout.layout, onDelete: .delete), logger: .init(label: "t"))
        // The stream connects when it opens, so that the pipeline's backoff grows while the
        // server is down.
        await #expect {
            _ = try await connector.openStream(from: .changeTracking(version: 0))
        } throws: { error in
            if case SourceFailure.unavailable = error { true } else { false }
        }
    }
}

/// Polls racing a writer: every user and membership inserted while the stream polls arrives,
/// each user before (or with) its membership.
@Suite struct ChangeTrackingRaceTests {
    @Test func nothingIsLostWhilePollsRaceAWriter() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let start = try await source.snapshotVersion(connector)
        let stream = try await connector.openStream(from: start)
        let writer = try source.server.connect()
        let count = 150
        let writing = Task.detached {
            for id in 100..<(100 + count) {
                try writer.begin()
                _ = try writer.query("INSERT INTO sync_users (id, username) VALUES (@p1, @p2)", [.int(Int64(id)), .text("r\(id)")])
                _ = try writer.query("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (@p1, 1)", [.int(Int64(id))])
                try writer.commit()
            }
        }
        var created: Set<String> = []
        var early: [String] = []
        let deadline = ContinuousClock.now + TestBounds.serverEvent
        while created.count < count, ContinuousClock.now < deadline {
            guard case .batch(let batch)? = try await stream.next() else { continue }
            for op in batch.ops {
                switch op {
                case .create(.user, let user): created.insert(user.id ?? "")
                case .addMember(_, let user): if !created.contains(user) { early.append(user) }
                default: break
                }
            }
        }
        try await writing.value
        #expect(created.count == count)
        #expect(early.isEmpty, "memberships before their users: \(early)")
    }
}
