import Foundation
import GRDB
import SQLiteStore
import Testing

/// `Statement.execute(binding:)`, the journal's way of binding: the same rows as GRDB's
/// arguments write, and GRDB's errors for a wrong count or a refused row, after which the
/// statement runs again.
@Suite struct BoundValuesTests {
    @Test func boundValuesReadBackAsGRDBsArgumentsWriteThem() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, a, b, c, d)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (k, a, b, c, d) VALUES (?, ?, ?, ?, ?)")
            let rows: [[DatabaseValue]] = [
                [1.databaseValue, "text é 👩‍👩‍👧".databaseValue, .null, 2.5.databaseValue, Data([0, 1, 255]).databaseValue],
                [2.databaseValue, "".databaseValue, Int64.max.databaseValue, (-0.0).databaseValue, "x".databaseValue],
            ]
            try insert.execute(binding: rows[0])
            try insert.execute(binding: rows[1])
            try db.execute(
                sql: "INSERT INTO t (k, a, b, c, d) VALUES (?, ?, ?, ?, ?)",
                arguments: StatementArguments([3.databaseValue] + rows[0].dropFirst()))
            let read = try Row.fetchAll(db, sql: "SELECT a, b, c, d FROM t ORDER BY k")
            #expect(read[0] == read[2])
            #expect(
                read.map { Array($0.databaseValues) }
                    == rows.map { Array($0.dropFirst()) } + [Array(rows[0].dropFirst())])
        }
    }

    @Test func aWrongCountOrARefusedRowIsGRDBsErrorAndTheStatementRunsAgain() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, a NOT NULL)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (k, a) VALUES (?, ?)")
            #expect(throws: DatabaseError.self) { try insert.execute(binding: [1.databaseValue]) }
            try insert.execute(binding: [1.databaseValue, "a".databaseValue])
            let duplicate = #expect(throws: DatabaseError.self) {
                try insert.execute(binding: [1.databaseValue, "b".databaseValue])
            }
            #expect(duplicate?.resultCode == .SQLITE_CONSTRAINT)
            #expect(throws: DatabaseError.self) { try insert.execute(binding: [2.databaseValue, .null]) }
            try insert.execute(binding: [2.databaseValue, "c".databaseValue])
            #expect(try String.fetchAll(db, sql: "SELECT a FROM t ORDER BY k") == ["a", "c"])
        }
    }
}
