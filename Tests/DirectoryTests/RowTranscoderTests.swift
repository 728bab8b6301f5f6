@testable import Directory
import SCIM
import Testing

/// Rows mapped straight from a source map into a target map's values (``RowTranscoder``)
/// against their definition: the target's values for the source's resource. Rows are drawn
/// from ``RowDiffPlanTests``' pools of awkward values by a seeded generator, so a failure
/// names a reproducible draw.
@Suite struct RowTranscoderTests {
    typealias Maps = RowDiffPlanTests

    /// The SQL type of each target column, by the source column it is named after; a few
    /// are narrow (a value longer than 8 characters does not fit `varchar(8)`).
    static let targetTypes: [String: String] = [
        "id": "int", "username": "varchar(8)", "first_name": "text", "last_name": "varchar(255)",
        "email": "varchar(64)", "job_title": "text", "employee_number": "decimal(10,2)",
        "is_active": "char(1)", "work_mail": "text", "home_mail": "text", "work_label": "text",
        "phone": "varchar(32)", "dept": "text", "manager_id": "bigint", "name": "text",
        "changed": "datetime", "cert": "varbinary(64)",
    ]

    /// `pairs` as a target's map: each column renamed `t_<column>`, in reverse order (the
    /// target's rows need not follow the source's).
    static func targetPairs(_ pairs: [(String, String)]) -> [(String, String)] {
        pairs.reversed().map { ($0.0, "t_" + $0.1) }
    }

    static func columnTypes(_ mapper: RowMapper) -> ColumnTypeList {
        var sqlTypes: [String: String] = [:]
        for entry in mapper.attributes.entries {
            sqlTypes[entry.column] = targetTypes[String(entry.column.dropFirst(2))] ?? "text"
        }
        return mapper.columnTypeList(mapper.columnTypes(fromSQLTypes: sqlTypes))
    }

    /// Checks `transcoder` against the general way on `count` draws; returns how many rows
    /// both ways mapped.
    static func compare(
        _ transcoder: RowTranscoder, source: RowMapper, target: RowMapper, types: ColumnTypeList, columns: [String],
        count: Int, seed: UInt64, name: String
    ) throws -> Int {
        var random = SplitMix(seed: seed)
        var compared = 0
        for draw in 0..<count {
            let row = Maps.draw(columns, id: draw % 7 == 0 ? .text("u\(draw)") : .int(Int64(draw)), using: &random)
            let general = Result { () throws -> (String, [SQLValue]) in
                let resource = try source.resource(from: row)
                return (resource.id ?? "", try target.rowValues(from: resource, columnTypes: types))
            }
            switch general {
            case .success(let (id, values)):
                let transcoded = try transcoder.transcode([row])
                #expect(transcoded.ids == [id], "\(name), draw \(draw): \(row)")
                #expect(transcoded.values == [values], "\(name), draw \(draw): \(row)")
                compared += 1
            case .failure:
                // A row the general way refuses: so does the transcoder, and the caller then
                // maps it the general way, which reports the error.
                #expect(throws: RowMappingError.self, "\(name), draw \(draw): \(row)") { try transcoder.transcode([row]) }
            }
        }
        return compared
    }

    @Test func transcodesAsTheResourcesMap() throws {
        let zone = try #require(WallClockZone(fixedOffset: "+02:00"))
        for (name, kind, pairs) in Maps.plainMaps {
            let source = RowMapper(kind: kind, table: "s", attributes: try Maps.map(pairs), zone: zone)
            let target = RowMapper(kind: kind, table: "t", attributes: try Maps.map(Self.targetPairs(pairs)))
            let types = Self.columnTypes(target)
            let transcoder = try #require(RowTranscoder(from: source, to: target, columnTypes: types), "\(name)")
            let compared = try Self.compare(
                transcoder, source: source, target: target, types: types, columns: pairs.map(\.1), count: 3000,
                seed: 0x7EA_5C0DE, name: name)
            // Enough draws convert for the comparison to mean something.
            #expect(compared > 500, "\(name)")
        }
    }

    /// A target that maps less than the source, or attributes the source has no column for:
    /// those are NULL; the source's other columns are still converted (a value it refuses
    /// fails the row as it would fail the resource).
    @Test func targetsMappingOtherAttributes() throws {
        let source = RowMapper(kind: .user, table: "s", attributes: try Maps.map(Maps.plainMaps[2].pairs))
        let targets: [(String, [(String, String)])] = [
            ("fewer attributes", [("id", "t_id"), ("nickName", "t_username")]),
            ("attributes the source lacks", [("id", "t_id"), ("title", "t_job_title"), ("name.middleName", "t_name")]),
            ("an attribute's elements the source lacks", [("id", "t_id"), (#"addresses[type eq "work"].locality"#, "t_dept")]),
            ("one of the source's elements", [("id", "t_id"), (#"emails[type eq "home"].value"#, "t_email")]),
            ("an element the source does not build", [("id", "t_id"), (#"emails[type eq "other"].value"#, "t_email")]),
            ("an extension's other attribute", [
                ("id", "t_id"), ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter", "t_dept"),
            ]),
        ]
        for (name, pairs) in targets {
            let target = RowMapper(kind: .user, table: "t", attributes: try Maps.map(pairs))
            let types = Self.columnTypes(target)
            let transcoder = try #require(RowTranscoder(from: source, to: target, columnTypes: types), "\(name)")
            _ = try Self.compare(
                transcoder, source: source, target: target, types: types, columns: Maps.plainMaps[2].pairs.map(\.1),
                count: 1000, seed: 0xF00D, name: name)
        }
    }

    /// Where a target column's value depends on how the resource is arranged, there is no
    /// transcoder: the rows go the general way.
    @Test func mapsThatDisagreeHaveNone() throws {
        let plain = try Maps.map(Maps.plainMaps[1].pairs)
        let cases: [(String, source: [(String, String)], target: [(String, String)])] = [
            ("another filter for the source's element", Maps.plainMaps[1].pairs, [
                ("id", "id"), (#"emails[primary eq true].value"#, "mail"),
            ]),
            ("an unfiltered element path", Maps.plainMaps[1].pairs, [("id", "id"), ("emails.value", "mail")]),
            ("the whole multi-valued attribute", Maps.plainMaps[1].pairs, [("id", "id"), ("emails", "mail")]),
            ("a sub-attribute the filter fixes", Maps.plainMaps[1].pairs, [
                ("id", "id"), (#"emails[type eq "work"].type"#, "kind"),
            ]),
            ("the whole complex attribute", Maps.plainMaps[1].pairs, [("id", "id"), ("name", "name")]),
            ("schemas", Maps.plainMaps[1].pairs, [("id", "id"), ("schemas", "s")]),
            ("two source columns for one attribute", [("id", "id"), ("userName", "username"), ("USERNAME", "first_name")], [
                ("id", "id"), ("userName", "login"),
            ]),
            ("a complex attribute beside its sub-attribute", [("id", "id"), ("name", "username"), ("name.givenName", "first_name")], [
                ("id", "id"), ("name.givenName", "given"),
            ]),
            ("another element the target's filter may take", [
                ("id", "id"), (#"emails[type eq "work"].value"#, "email"), (#"emails[primary eq true].value"#, "first_name"),
            ], [("id", "id"), (#"emails[type eq "work"].value"#, "mail")]),
            ("elements an unfiltered path may take", [
                ("id", "id"), (#"emails[type eq "work"].value"#, "email"), (#"emails[type eq "home"].value"#, "first_name"),
            ], [("id", "id"), ("emails.value", "mail")]),
            ("a column that writes what the filter tests", [
                ("id", "id"), (#"emails[type eq "work"].value"#, "email"), (#"emails[type eq "work"].type"#, "first_name"),
            ], [("id", "id"), (#"emails[type eq "work"].value"#, "mail")]),
            ("a filter that builds no element", [("id", "id"), (#"emails[type ne "home"].value"#, "email")], [
                ("id", "id"), (#"emails[type ne "home"].value"#, "mail"),
            ]),
        ]
        for (name, sourcePairs, targetPairs) in cases {
            let source = RowMapper(kind: .user, table: "s", attributes: try Maps.map(sourcePairs))
            let target = RowMapper(kind: .user, table: "t", attributes: try Maps.map(targetPairs))
            #expect(RowTranscoder(from: source, to: target, columnTypes: Self.columnTypes(target)) == nil, "\(name)")
        }
        // Another kind.
        let users = RowMapper(kind: .user, table: "s", attributes: plain)
        let groups = RowMapper(kind: .group, table: "t", attributes: try Maps.map([("id", "id"), ("displayName", "title")]))
        #expect(RowTranscoder(from: users, to: groups, columnTypes: Self.columnTypes(groups)) == nil)
    }

    /// The agreeing maps above still give the general way's values when the general way is
    /// the one the caller takes: a map that has no transcoder is no loss, only slower.
    @Test func otherMapsAsTargetsOfThemselves() throws {
        for (name, pairs) in Maps.otherMaps {
            let source = RowMapper(kind: .user, table: "s", attributes: try Maps.map(pairs))
            let target = RowMapper(kind: .user, table: "t", attributes: try Maps.map(Self.targetPairs(pairs)))
            let types = Self.columnTypes(target)
            // Some of these agree column by column after all; those must agree with the resources.
            guard let transcoder = RowTranscoder(from: source, to: target, columnTypes: types) else { continue }
            _ = try Self.compare(
                transcoder, source: source, target: target, types: types, columns: pairs.map(\.1), count: 500,
                seed: 0xBEE, name: name)
        }
    }

    /// A chunk whose rows come with different column lists (rows of two SELECTs) is mapped
    /// row by row as the general way maps it.
    @Test func rowsWithOtherColumnLists() throws {
        let pairs = Maps.plainMaps[1].pairs
        let source = RowMapper(kind: .user, table: "s", attributes: try Maps.map(pairs))
        let target = RowMapper(kind: .user, table: "t", attributes: try Maps.map(Self.targetPairs(pairs)))
        let types = Self.columnTypes(target)
        let transcoder = try #require(RowTranscoder(from: source, to: target, columnTypes: types))
        let first = Row(["id": .int(1), "username": .text("ana"), "email": .text("ana@example.org")])
        let second = Row(["EMAIL": .text("bo@example.org"), "ID": .int(2), "is_active": .int(0)])
        let rows = try transcoder.transcode([first, second, first])
        #expect(rows.ids == ["1", "2", "1"])
        for (row, values) in zip([first, second, first], rows.values) {
            #expect(values == (try target.rowValues(from: try source.resource(from: row), columnTypes: types)))
        }
        // A row without its id fails the chunk, as it fails the resource.
        #expect(throws: RowMappingError.missingID(table: "s", column: "id")) {
            try transcoder.transcode([first, Row(["username": .text("x")])])
        }
    }

    @Test func createsAreTheRowsResources() throws {
        let mapper = Seed.relationLayout.userMapper
        let rows = [Seed.userRow(), Seed.userRow(active: .int(0))]
        #expect(try mapper.creates(rows) == rows.map { .create(.user, try mapper.resource(from: $0)) })
    }
}
