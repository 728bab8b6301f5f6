@testable import Directory
import SCIM
import Testing

/// An update's diff column by column (``RowDiffPlan``) against its definition: the diff of the
/// two rows' resources. Rows are drawn from pools of awkward values (NULL, a missing column,
/// values of other SQL kinds that convert to the same SCIM value, zero dates, unicode) by a
/// seeded generator, so a failure names a reproducible draw.
@Suite struct RowDiffPlanTests {
    /// A map from `path: column` pairs, paths as a config writes them.
    static func map(_ pairs: [(String, String)]) throws -> AttributeMap {
        AttributeMap(try pairs.map { try .init(pathText: $0.0, path: AttributePath.parse($0.0), column: $0.1) })
    }

    static let plainMaps: [(name: String, kind: ResourceKind, pairs: [(String, String)])] = [
        ("seed users", .user, [
            ("id", "id"), ("userName", "username"), ("name.givenName", "first_name"), ("name.familyName", "last_name"),
            (#"emails[type eq "work"].value"#, "email"), ("active", "is_active"),
        ]),
        ("benchmark users", .user, [
            ("id", "id"), ("userName", "username"), ("name.givenName", "first_name"), ("name.familyName", "last_name"),
            (#"emails[type eq "work"].value"#, "email"), ("title", "job_title"), ("active", "is_active"),
            ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "employee_number"),
        ]),
        ("elements, extensions, dates, binary", .user, [
            ("id", "id"),
            (#"emails[type eq "work" and primary eq true].value"#, "work_mail"),
            (#"emails[type eq "home"]"#, "home_mail"),
            (#"emails[type eq "work" and primary eq true].display"#, "work_label"),
            ("phoneNumbers.value", "phone"),
            ("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", "first_name"),
            ("NAME.familyName", "last_name"),
            ("meta.lastModified", "changed"),
            (#"x509Certificates[type eq "signing"].value"#, "cert"),
            ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "manager_id"),
            ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "dept"),
            ("Active", "is_active"),
            ("nickName", "username"),
        ]),
        ("groups", .group, [
            ("id", "id"), ("displayName", "name"), ("active", "is_active"), ("externalId", "id"),
            (#"members[type eq "User"].display"#, "first_name"),
        ]),
    ]

    /// Maps whose attributes can take each other's place, diffed through the resources.
    static let otherMaps: [(name: String, pairs: [(String, String)])] = [
        ("a column mapped twice to one attribute", [("id", "id"), ("userName", "username"), ("USERNAME", "first_name")]),
        ("a complex attribute beside its sub-attribute", [("id", "id"), ("name", "username"), ("name.givenName", "first_name")]),
        ("an element's sub-attribute mapped twice", [
            ("id", "id"), (#"emails[type eq "work"].value"#, "email"),
            (#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value"#, "first_name"),
        ]),
        ("filters that find the same element", [
            ("id", "id"), (#"emails[type eq "work"].value"#, "email"), (#"emails[primary eq true].value"#, "first_name"),
        ]),
        ("filters that differ in case only", [
            ("id", "id"), (#"emails[type eq "work"].value"#, "email"), (#"emails[type eq "Work"].value"#, "first_name"),
        ]),
        ("a sub-attribute a filter tests", [
            ("id", "id"), (#"emails[type eq "work"].value"#, "email"), (#"emails[type eq "work"].type"#, "first_name"),
        ]),
        ("a filter testing another element's sub-attribute", [
            ("id", "id"), (#"emails[type eq "work"].display"#, "email"), (#"emails[display eq "x"].value"#, "first_name"),
        ]),
        ("an unfiltered element beside a filtered one", [
            ("id", "id"), ("emails.value", "email"), (#"emails[type eq "work"].display"#, "first_name"),
        ]),
        ("a filter that builds no element", [("id", "id"), (#"emails[type ne "home"].value"#, "email")]),
        ("an attribute named schemas", [("id", "id"), ("schemas", "username")]),
        ("a plain value and elements in one attribute", [
            ("id", "id"), ("emails", "username"), (#"emails[type eq "work"].value"#, "email"),
        ]),
    ]

    @Test func plainMapsHaveAPlan() throws {
        for (name, kind, pairs) in Self.plainMaps {
            let mapper = RowMapper(kind: kind, table: "t", attributes: try Self.map(pairs))
            #expect(mapper.plan.diff != nil, "\(name)")
        }
    }

    @Test func otherMapsHaveNone() throws {
        for (name, pairs) in Self.otherMaps {
            let mapper = RowMapper(kind: .user, table: "t", attributes: try Self.map(pairs))
            #expect(mapper.plan.diff == nil, "\(name)")
        }
    }

    /// The columns every map above uses, with the values drawn for each (nil: the row lacks
    /// the column).
    static let pools: [String: [SQLValue?]] = {
        let text: [SQLValue?] = [
            nil, .null, .text("Chloé"), .text("García"), .text("Ünïcødé 𝔘 ✓"), .text(""), .text("work"),
            .bytes(Array("Chloé".utf8)), .int(42), .uint(42), .decimal("12.50"), .double(0.5), .text("12.50"),
        ]
        let day = SQLDate(year: 2024, month: 6, day: 1)
        return [
            "username": text, "first_name": text, "last_name": text, "email": text, "job_title": text,
            "employee_number": [nil, .null, .decimal("12.50"), .text("12.50"), .int(7), .text("E7"), .decimal("-0.001")],
            "is_active": [nil, .null, .int(1), .int(0), .int(7), .text("Y"), .text("n "), .bool(true), .bits(1, width: 1)],
            "work_mail": text, "home_mail": text, "work_label": text, "phone": text, "dept": text,
            "manager_id": [nil, .null, .int(9), .text("9"), .uint(10)],
            "name": text,
            "changed": [
                nil, .null,
                .dateTime(SQLDateTime(date: day, hour: 12, minute: 0, second: 0)),
                .timestamp(SQLDateTime(date: day, hour: 12, minute: 0, second: 0)),
                .text("2024-06-01 12:00:00"), .text("2024-06-01T12:00:00Z"), .date(day),
                .dateTime(SQLDateTime(date: SQLDate(year: 0, month: 0, day: 0), hour: 0, minute: 0, second: 0)),
                .dateTime(SQLDateTime(date: day, hour: 12, minute: 0, second: 0, microsecond: 250)),
            ],
            "cert": [nil, .null, .bytes([0, 1, 2]), .text("AAEC"), .bytes([])],
        ]
    }()

    static func draw(_ columns: [String], id: SQLValue, using random: inout SplitMix) -> Row {
        var row = Row(columns: ["id"], values: [id])
        for column in columns where column != "id" {
            let pool = pools[column] ?? [nil]
            guard let value = pool[Int(random.next() % UInt64(pool.count))] else { continue }
            row.columns.append(column)
            row.values.append(value)
        }
        return row
    }

    /// A draw mostly like `row`: the same values but for a few columns, as real updates are.
    static func nudge(_ row: Row, _ columns: [String], using random: inout SplitMix) -> Row {
        let other = draw(columns, id: row.values[0], using: &random)
        var result = Row(columns: ["id"], values: [row.values[0]])
        for column in columns where column != "id" {
            let source = random.next() % 4 == 0 ? other : row
            guard let value = source[column] else { continue }
            result.columns.append(column)
            result.values.append(value)
        }
        return result
    }

    @Test func diffsRowsAsTheirResourcesDiffer() throws {
        var random = SplitMix(seed: 0x5C1_5E)
        let zone = try #require(WallClockZone(fixedOffset: "+02:00"))
        for (name, kind, pairs) in Self.plainMaps {
            let mapper = RowMapper(kind: kind, table: "t", attributes: try Self.map(pairs), zone: zone)
            let plan = try #require(mapper.plan.diff)
            let columns = pairs.map(\.1)
            var compared = 0
            for draw in 0..<3000 {
                let before = Self.draw(columns, id: .int(7), using: &random)
                let after = draw % 2 == 0 ? Self.nudge(before, columns, using: &random) : Self.draw(columns, id: .int(7), using: &random)
                guard let old = try? mapper.resource(from: before), let new = try? mapper.resource(from: after) else {
                    // A value that does not convert: the diff throws what the resources do.
                    #expect(throws: Self.error { _ = try mapper.resource(from: before); _ = try mapper.resource(from: after) }) {
                        try AttributeDiff(mapper: mapper, before: before, after: after)
                    }
                    continue
                }
                let expected = AttributeDiff(mapper: mapper, old: old, new: new)
                let diff = try AttributeDiff(plan: plan, zone: zone, before: before, after: after)
                #expect(diff.operations == expected.operations, "\(name), draw \(draw): \(before) → \(after)")
                #expect(diff.active == expected.active, "\(name), draw \(draw): \(before) → \(after)")
                compared += 1
            }
            // Enough draws convert for the comparison to mean something.
            #expect(compared > 1000, "\(name)")
        }
    }

    @Test func mapsWithoutAPlanDiffTheirResources() throws {
        var random = SplitMix(seed: 0x0DD)
        for (name, pairs) in Self.otherMaps {
            let mapper = RowMapper(kind: .user, table: "t", attributes: try Self.map(pairs))
            let columns = pairs.map(\.1)
            for draw in 0..<300 {
                let before = Self.draw(columns, id: .int(7), using: &random)
                let after = Self.nudge(before, columns, using: &random)
                guard let old = try? mapper.resource(from: before), let new = try? mapper.resource(from: after) else {
                    continue
                }
                let expected = AttributeDiff(mapper: mapper, old: old, new: new)
                let diff = try AttributeDiff(mapper: mapper, before: before, after: after)
                #expect(diff.operations == expected.operations, "\(name), draw \(draw)")
                #expect(diff.active == expected.active, "\(name), draw \(draw)")
            }
        }
    }

    @Test func aConversionErrorIsTheOneTheBeforeImageMeetsFirst() throws {
        let mapper = Seed.relationLayout.userMapper
        // The column by column diff would meet the after image's e-mail first.
        let before = Seed.userRow(active: .text("maybe"))
        let after = Seed.userRow(email: .bytes([0xFF]), active: .int(1))
        #expect(throws: RowMappingError.value(table: "sync_users", ValueConversionError(column: "is_active", reason: .notBoolean(kind: "text")))) {
            try AttributeDiff(mapper: mapper, before: before, after: after)
        }
    }

    /// The error `body` throws.
    static func error(_ body: () throws -> Void) -> RowMappingError {
        do {
            try body()
        } catch let error as RowMappingError {
            return error
        } catch {
            Issue.record("not a mapping error: \(error)")
        }
        Issue.record("no error")
        return .missingID(table: "", column: "")
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small seeded generator, so draws repeat.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
