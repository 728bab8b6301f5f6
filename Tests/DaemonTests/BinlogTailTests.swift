import Config
import Daemon
import MySQLBinlog
import MySQLSource
import SQLClients
import TestSupport
import Testing

/// `scimsync tail` against the real MariaDB of scripts/test: what it prints for each column
/// type and edge value, across a DDL, and for a start the server no longer has.
@Suite struct BinlogTailTests {
    func source() throws -> MySQLConnectionConfig {
        let url = try TestServers.mariaDBURL()
        return MySQLConnectionConfig(host: url.host, port: url.port, user: url.user, password: url.password, database: url.database)
    }

    /// Runs `changes`, then tails from before them until now, on `table` only.
    func tail(
        table: String, partSize: Int = TransactionAssembler.defaultMaxChangesPerPart,
        _ changes: (MariaDBConnection) throws -> Void
    ) async throws -> [String] {
        let connection = try TestServers.mariaDB()
        let before = try connection.currentBinlogPosition()
        try changes(connection)
        return try await tail(table: table, from: BinlogPosition(file: before.file, offset: before.offset), partSize: partSize)
    }

    /// Tails `table` from `start` until `end` (now when nil).
    func tail(
        table: String, from start: BinlogPosition, until end: BinlogPosition? = nil, partSize: Int,
        writeAhead: TailWriteAhead = .whenPrintingIsBehind
    ) async throws -> [String] {
        var output = ""
        try await BinlogTail.run(
            source: try source(), serverID: UInt32.random(in: 1_000_000...2_000_000),
            range: TailRange(start: .position(start), end: end.map { .position($0) } ?? .now, tables: ["scimsync_test.\(table)"]),
            tables: [], maxChangesPerPart: partSize, writeAhead: writeAhead
        ) { output += String(decoding: $0, as: UTF8.self) }
        return output.split(separator: "\n").map(String.init)
    }

    /// The `"position"` of a line, as a position.
    func position(_ line: String) throws -> BinlogPosition {
        let start = try #require(line.range(of: #""position":""#))
        let text = line[start.upperBound...].prefix { $0 != "\"" }
        let colon = try #require(text.lastIndex(of: ":"))
        return BinlogPosition(file: String(text[..<colon]), offset: try #require(UInt64(text[text.index(after: colon)...])))
    }

    /// The line without its position, gtid and timestamp, which vary from run to run.
    func stable(_ line: String) -> String {
        guard let cut = line.range(of: #","position":"#) else { return line }
        return String(line[..<cut.lowerBound]) + "}"
    }

    @Test func everyColumnTypeAndEdgeValue() async throws {
        let table = TestServers.uniqueName("tail_types")
        let lines = try await tail(table: table) { db in
            try db.execute("""
                CREATE TABLE \(table) (
                  id INT NOT NULL PRIMARY KEY,
                  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, mu MEDIUMINT UNSIGNED,
                  bi BIGINT, bu BIGINT UNSIGNED, de DECIMAL(10,2), fl FLOAT, db DOUBLE, b1 BIT(1), b64 BIT(64),
                  da DATE, t3 TIME(3), dt6 DATETIME(6), dt0 DATETIME, ts2 TIMESTAMP(2) NULL, yr YEAR,
                  ch CHAR(3), vc VARCHAR(20), tx TEXT, l1 VARCHAR(10) CHARACTER SET latin1, vb VARBINARY(8), bl BLOB,
                  en ENUM('s','m','l'), st SET('a','b','c'), js JSON
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """)
            try db.execute("""
                INSERT INTO \(table) VALUES
                (1, -128, 255, -32768, -8388608, 16777215, -9223372036854775808, 18446744073709551615, -12345678.90,
                 1.5, -2.25e-300, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
                 '1000-01-01', '-838:59:59.000', '9999-12-31 23:59:59.999999', '2026-11-23 05:44:51',
                 '2038-01-19 03:14:07.99', 2155, 'abc', 'ünï 🦊', '', 'café', x'00ff10', x'', 'm', 'a,c',
                 '{"k": [1, "two", null]}'),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL)
                """)
            try db.execute("UPDATE \(table) SET vc = 'changed', t3 = '12:00:00.5' WHERE id = 1")
            try db.execute("DELETE FROM \(table) WHERE id = 2")
        }
        let t = "scimsync_test.\(table)"
        #expect(lines.map(stable) == [
            #"{"table":"\#(t)","op":"insert","before":null,"after":{"id":1,"ti":-128,"tu":255,"si":-32768,"mi":-8388608,"mu":16777215,"bi":-9223372036854775808,"bu":18446744073709551615,"de":"-12345678.90","fl":1.5,"db":-2.25e-300,"b1":1,"b64":18446744073709551615,"da":"1000-01-01","t3":"-838:59:59.000","dt6":"9999-12-31T23:59:59.999999","dt0":"2026-11-23T05:44:51","ts2":"2038-01-19T03:14:07.99Z","yr":2155,"ch":"abc","vc":"ünï 🦊","tx":"","l1":"café","vb":"AP8Q","bl":"","en":"m","st":["a","c"],"js":{"k":[1,"two",null]}}}"#,
            #"{"table":"\#(t)","op":"insert","before":null,"after":{"id":2,"ti":null,"tu":null,"si":null,"mi":null,"mu":null,"bi":null,"bu":null,"de":null,"fl":null,"db":null,"b1":null,"b64":null,"da":null,"t3":null,"dt6":null,"dt0":null,"ts2":null,"yr":null,"ch":null,"vc":null,"tx":null,"l1":null,"vb":null,"bl":null,"en":null,"st":[],"js":null}}"#,
            #"{"table":"\#(t)","op":"update","before":{"id":1,"ti":-128,"tu":255,"si":-32768,"mi":-8388608,"mu":16777215,"bi":-9223372036854775808,"bu":18446744073709551615,"de":"-12345678.90","fl":1.5,"db":-2.25e-300,"b1":1,"b64":18446744073709551615,"da":"1000-01-01","t3":"-838:59:59.000","dt6":"9999-12-31T23:59:59.999999","dt0":"2026-11-23T05:44:51","ts2":"2038-01-19T03:14:07.99Z","yr":2155,"ch":"abc","vc":"ünï 🦊","tx":"","l1":"café","vb":"AP8Q","bl":"","en":"m","st":["a","c"],"js":{"k":[1,"two",null]}},"after":{"id":1,"ti":-128,"tu":255,"si":-32768,"mi":-8388608,"mu":16777215,"bi":-9223372036854775808,"bu":18446744073709551615,"de":"-12345678.90","fl":1.5,"db":-2.25e-300,"b1":1,"b64":18446744073709551615,"da":"1000-01-01","t3":"12:00:00.500","dt6":"9999-12-31T23:59:59.999999","dt0":"2026-11-23T05:44:51","ts2":"2038-01-19T03:14:07.99Z","yr":2155,"ch":"abc","vc":"changed","tx":"","l1":"café","vb":"AP8Q","bl":"","en":"m","st":["a","c"],"js":{"k":[1,"two",null]}}}"#,
            #"{"table":"\#(t)","op":"delete","before":{"id":2,"ti":null,"tu":null,"si":null,"mi":null,"mu":null,"bi":null,"bu":null,"de":null,"fl":null,"db":null,"b1":null,"b64":null,"da":null,"t3":null,"dt6":null,"dt0":null,"ts2":null,"yr":null,"ch":null,"vc":null,"tx":null,"l1":null,"vb":null,"bl":null,"en":null,"st":[],"js":null},"after":null}"#,
        ])
        // Every line carries the transaction's end position, its GTID and commit time.
        let first = try #require(lines.first)
        #expect(first.contains(#""position":"binlog.0"#))
        #expect(first.contains(#""gtid":"0-1-"#))
        #expect(first.hasSuffix(#"Z"}"#))
    }

    @Test func rowsBeforeAndAfterADDLDecodeWithTheirOwnColumns() async throws {
        let table = TestServers.uniqueName("tail_ddl")
        let lines = try await tail(table: table) { db in
            try db.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(20))")
            try db.execute("INSERT INTO \(table) VALUES (1, 'before')")
            try db.execute("ALTER TABLE \(table) ADD COLUMN email VARCHAR(50) AFTER id, DROP COLUMN name")
            try db.execute("INSERT INTO \(table) VALUES (2, 'after@example.com')")
        }
        let t = "scimsync_test.\(table)"
        #expect(lines.map(stable) == [
            #"{"table":"\#(t)","op":"insert","before":null,"after":{"id":1,"name":"before"}}"#,
            #"{"table":"\#(t)","op":"insert","before":null,"after":{"id":2,"email":"after@example.com"}}"#,
        ])
    }

    @Test func rolledBackWorkNeverAppears() async throws {
        let table = TestServers.uniqueName("tail_rollback")
        let lines = try await tail(table: table) { db in
            try db.execute("CREATE TABLE \(table) (id INT PRIMARY KEY) ENGINE=InnoDB")
            try db.execute("START TRANSACTION")
            try db.execute("INSERT INTO \(table) VALUES (1)")
            try db.execute("ROLLBACK")
            try db.execute("INSERT INTO \(table) VALUES (2)")
        }
        #expect(lines.map(stable) == [#"{"table":"scimsync_test.\#(table)","op":"insert","before":null,"after":{"id":2}}"#])
    }

    /// 25 single-row updates in one transaction, read 10 row changes at a time: every row
    /// once, in order; the rows of the parts before the last carry the position before the
    /// transaction, and tailing from there shows the whole transaction again.
    @Test func aLargeTransactionIsPrintedInPartsPositionedBeforeIt() async throws {
        let table = TestServers.uniqueName("tail_parts")
        let updates = (1...25).map { "UPDATE \(table) SET n = \($0) WHERE id = \($0)" }
        let lines = try await tail(table: table, partSize: 10) { db in
            try db.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, n INT) ENGINE=InnoDB")
            try db.execute("INSERT INTO \(table) VALUES " + (1...25).map { "(\($0), 0)" }.joined(separator: ","))
            try db.execute("START TRANSACTION")
            for update in updates { try db.execute(update) }
            try db.execute("COMMIT")
            try db.execute("INSERT INTO \(table) VALUES (26, 0)")
        }
        let t = "scimsync_test.\(table)"
        let expected =
            (1...25).map { #"{"table":"\#(t)","op":"insert","before":null,"after":{"id":\#($0),"n":0}}"# }
            + (1...25).map { #"{"table":"\#(t)","op":"update","before":{"id":\#($0),"n":0},"after":{"id":\#($0),"n":\#($0)}}"# }
            + [#"{"table":"\#(t)","op":"insert","before":null,"after":{"id":26,"n":0}}"#]
        #expect(lines.map(stable) == expected)
        guard lines.count == expected.count else { return }

        let updateLines = Array(lines[25..<50])
        let positions = try updateLines.map(position)
        let beforeIt = positions[0]
        let committed = positions[24]
        // Two parts of 10, then the last 5 with the commit.
        #expect(positions[..<20].allSatisfy { $0 == beforeIt })
        #expect(positions[20...].allSatisfy { $0 == committed })
        #expect(beforeIt < committed)
        #expect(try !(position(lines[24]) > beforeIt))

        let again = try await tail(table: table, from: beforeIt, partSize: 10)
        #expect(Array(again.prefix(25).map(stable)) == Array(expected[25..<50]))
    }

    /// The reading task writes the lines while the printing task is behind: whichever task
    /// writes them, the output is the same, byte for byte, across types, a DDL, a rollback and
    /// a transaction printed in parts.
    @Test func linesWrittenByEitherTaskAreTheSame() async throws {
        let table = TestServers.uniqueName("tail_ahead")
        let connection = try TestServers.mariaDB()
        let before = try connection.currentBinlogPosition()
        try connection.execute(
            "CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(40), d DECIMAL(10,2), at DATETIME(6), ok TINYINT(1)) ENGINE=InnoDB")
        for round in 0..<4 {
            let rows = (1...300).map {
                "(\(round * 1000 + $0), 'nämé \($0) \"q\"', \($0).25, '2026-12-0\(round + 1) 10:00:0\($0 % 10).123456', \($0 % 2))"
            }
            try connection.execute("INSERT INTO \(table) VALUES " + rows.joined(separator: ", "))
        }
        try connection.execute("START TRANSACTION")
        try connection.execute("INSERT INTO \(table) (id) VALUES (99999)")
        try connection.execute("ROLLBACK")
        try connection.execute("START TRANSACTION")
        for id in 1...25 { try connection.execute("UPDATE \(table) SET name = NULL, ok = NULL WHERE id = \(id)") }
        try connection.execute("COMMIT")
        try connection.execute("ALTER TABLE \(table) DROP COLUMN d")
        try connection.execute("DELETE FROM \(table) WHERE id > 3000")
        let now = try connection.currentBinlogPosition()
        let start = BinlogPosition(file: before.file, offset: before.offset)
        let end = BinlogPosition(file: now.file, offset: now.offset)

        let alone = try await tail(table: table, from: start, until: end, partSize: 10, writeAhead: .never)
        #expect(alone.count == 1200 + 25 + 300)
        #expect(alone.contains { $0.contains(#""name":"nämé 7 \"q\"""#) })
        // The first line that differs, rather than thousands of lines, when one does.
        func difference(_ lines: [String]) -> String? {
            guard lines != alone else { return nil }
            let index = zip(lines, alone).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(lines.count, alone.count)
            return "line \(index) of \(lines.count) (\(alone.count) alone): \(lines.dropFirst(index).first ?? "none")"
                + " instead of \(alone.dropFirst(index).first ?? "none")"
        }
        let ahead = try await tail(table: table, from: start, until: end, partSize: 10, writeAhead: .always)
        #expect(difference(ahead) == nil)
        let either = try await tail(table: table, from: start, until: end, partSize: 10)
        #expect(difference(either) == nil)
    }

    @Test func wideTablesAndRowsOver16MB() async throws {
        let table = TestServers.uniqueName("tail_big")
        let columns = (1...220).map { "c\($0) INT" }.joined(separator: ", ")
        let lines = try await tail(table: table) { db in
            try db.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, \(columns), big LONGBLOB)")
            // 17 MiB: more than one 16 MiB protocol packet, so the event arrives split.
            try db.execute("INSERT INTO \(table) (id, c1, c220, big) VALUES (1, -1, 220, REPEAT('x', 17825792))")
        }
        try #require(lines.count == 1)
        let line = lines[0]
        #expect(line.contains(#""c1":-1,"c2":null"#))
        #expect(line.contains(#""c219":null,"c220":220,"big":""#))
        // base64 of 17 MiB of "x" is "eHh4" repeated, 23,767,724 characters.
        let big = try #require(line.range(of: #""big":""#))
        let encoded = line[big.upperBound...].prefix { $0 != "\"" }
        #expect(encoded.count == 23_767_724)
        #expect(encoded.hasPrefix("eHh4eHh4"))
    }

    @Test func aStartTheServerDoesNotHaveIsATypedError() async throws {
        await #expect {
            try await BinlogTail.run(
                source: try source(), serverID: 3_000_001,
                range: TailRange(start: .position(BinlogPosition(file: "binlog.999999", offset: 4)), end: .now, tables: nil),
                tables: ["scimsync_test.none"]
            ) { _ in }
        } throws: { error in
            (error as? ReplicationError)?.kind == .positionUnavailable
        }
    }

    /// A user who may not read the binlog is told so, by the settings check that runs while
    /// the replication connection opens, before any line and instead of the stream's error;
    /// so are rows committed in the range, which are not printed.
    @Test func aUserWhoMayNotReadTheBinlogIsToldWhyBeforeAnyLine() async throws {
        let root = try TestServerURL.fromEnvironment("SCIMSYNC_TEST_MARIADB_ROOT_URL")
        let admin = try MariaDBConnection(host: root.host, port: root.port, user: root.user, password: root.password, database: "")
        let user = TestServers.uniqueName("tail_reader")
        let password = "p" + TestServers.uniqueName("w")
        try admin.execute("CREATE USER '\(user)'@'127.0.0.1' IDENTIFIED BY '\(password)'")
        defer { _ = try? admin.execute("DROP USER '\(user)'@'127.0.0.1'") }
        try admin.execute("GRANT SELECT ON scimsync_test.* TO '\(user)'@'127.0.0.1'")

        let table = TestServers.uniqueName("tail_refused")
        let connection = try TestServers.mariaDB()
        let before = try connection.currentBinlogPosition()
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
        try connection.execute("INSERT INTO \(table) VALUES (1), (2)")
        let now = try connection.currentBinlogPosition()

        let url = try TestServers.mariaDBURL()
        let limited = MySQLConnectionConfig(host: url.host, port: url.port, user: user, password: password, database: url.database)
        var output = ""
        var refused: TailError?
        do {
            try await BinlogTail.run(
                source: limited, serverID: UInt32.random(in: 1_000_000...2_000_000),
                range: TailRange(
                    start: .position(BinlogPosition(file: before.file, offset: before.offset)),
                    end: .position(BinlogPosition(file: now.file, offset: now.offset)), tables: ["scimsync_test.\(table)"]),
                tables: []
            ) { output += String(decoding: $0, as: UTF8.self) }
        } catch let error as TailError {
            refused = error
        }
        guard case .sourceNotReady(let problems)? = refused else {
            Issue.record("expected the settings' problems, got \(String(describing: refused))")
            return
        }
        #expect(problems.contains { $0.contains("REPLICATION SLAVE") })
        #expect(output.isEmpty)
    }
}
