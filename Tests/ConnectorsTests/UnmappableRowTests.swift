import Connectors
import Directory
import SCIM
import Testing

/// A first load's phase read with its unconvertible rows set aside: the others map, the bad
/// one is named by its id and the map's reason, and a row without a readable id still fails.
@Suite struct UnmappableRowTests {
    static let mapper: RowMapper = {
        let entries = [("id", "id"), ("userName", "username"), ("title", "job_title")].map {
            try! AttributeMap.Entry(pathText: $0.0, path: AttributePath.parse($0.0), column: $0.1)
        }
        return RowMapper(kind: .user, table: "sync_users", attributes: AttributeMap(entries))
    }()

    static func row(_ id: SQLValue, title: SQLValue = .text("Engineer")) -> Row {
        Row(columns: ["id", "username", "job_title"], values: [id, .text("login"), title])
    }

    static func phase(_ chunks: [[Row]]) -> LoadPhase {
        LoadPhase(
            name: "users",
            rows: LoadRows(mapper: mapper) {
                var left = chunks
                return { left.isEmpty ? nil : left.removeFirst() }
            })
    }

    static func read(_ phase: LoadPhase) throws -> [LoadChunk] {
        let next = phase.readSettingAsideUnmappable()
        var chunks: [LoadChunk] = []
        while let chunk = try next() { chunks.append(chunk) }
        return chunks
    }

    @Test func aRowTheMapCannotConvertIsSetAsideAndTheRestMaps() throws {
        let chunks = try Self.read(
            Self.phase([
                [Self.row(.text("1")), Self.row(.text("2"), title: .bytes([0xFF, 0x00, 0xFE, 0x41])), Self.row(.text("3"))],
                [Self.row(.text("4"))],
            ]))
        #expect(chunks.map { $0.ops.compactMap(\.createdEntry).map(\.id) } == [["1", "3"], ["4"]])
        let unmapped = try #require(chunks.first?.unmapped.first)
        #expect(chunks.flatMap(\.unmapped).count == 1)
        #expect(unmapped.id == "2" && unmapped.kind == .user && unmapped.table == "sync_users")
        #expect(unmapped.reason.contains("job_title"), "\(unmapped.reason)")
        #expect(unmapped.quarantined.kind == "User" && unmapped.quarantined.id == "2")
        #expect(unmapped.quarantined.reason.hasPrefix("the source row does not map to a resource: "))
    }

    @Test func aRowWithoutAReadableIDStillFailsTheLoad() throws {
        #expect(throws: RowMappingError.self) {
            _ = try Self.read(Self.phase([[Self.row(.text("1")), Self.row(.bytes([0xFF]))]]))
        }
    }

    @Test func aPhaseOfOperationsReadsAsBefore() throws {
        let phase = LoadPhase(name: "memberships", creates: false) {
            var chunks = [[ResourceOp.addMember(groupID: "g", userID: "1")]]
            return { chunks.isEmpty ? nil : chunks.removeFirst() }
        }
        let chunks = try Self.read(phase)
        #expect(chunks.map(\.ops) == [[.addMember(groupID: "g", userID: "1")]])
        #expect(chunks.flatMap(\.unmapped).isEmpty)
    }
}
