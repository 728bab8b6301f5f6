import Directory
import Testing

@testable import Targets

@Suite struct SQLDialectTests {
    @Test func quotingDoublesTheQuoteCharacter() {
        #expect(SQLDialect.mariaDB.quote("a`b") == "`a``b`")
        #expect(SQLDialect.sqlite.quote("a\"b") == "\"a\"\"b\"")
        #expect(SQLDialect.postgres(schema: "s").table("t") == "\"s\".\"t\"")
        #expect(SQLDialect.mariaDB.table("t") == "`t`")
    }

    @Test func upsertPerDialect() {
        let rows: [[SQLValue]] = [[.text("1"), .text("a")], [.text("2"), .text("b")]]
        let maria = SQLDialect.mariaDB.upsert(table: "u", columns: ["id", "login"], key: "id", rows: rows)
        #expect(
            maria.sql
                == "INSERT INTO `u` (`id`, `login`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `login` = IF(`id` = VALUES(`id`), VALUES(`login`), `login`)")
        #expect(maria.parameters == [.text("1"), .text("a"), .text("2"), .text("b")])
        let postgres = SQLDialect.postgres(schema: "p").upsert(table: "u", columns: ["id", "login"], key: "id", rows: rows)
        #expect(
            postgres.sql
                == "INSERT INTO \"p\".\"u\" (\"id\", \"login\") VALUES ($1, $2), ($3, $4) "
                + "ON CONFLICT (\"id\") DO UPDATE SET \"login\" = EXCLUDED.\"login\"")
        let idOnly = SQLDialect.sqlite.upsert(table: "u", columns: ["id"], key: "id", rows: [[.text("1")]])
        #expect(idOnly.sql == "INSERT INTO \"u\" (\"id\") VALUES (?) ON CONFLICT (\"id\") DO NOTHING")
    }

    @Test func insertIfAbsentNeverUsesIgnore() {
        let rows: [[SQLValue]] = [[.text("u"), .text("g")]]
        #expect(
            SQLDialect.mariaDB.insertIfAbsent(table: "m", columns: ["user_id", "group_id"], rows: rows).sql
                == "INSERT INTO `m` (`user_id`, `group_id`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `user_id` = `user_id`")
        #expect(
            SQLDialect.sqlite.insertIfAbsent(table: "m", columns: ["user_id", "group_id"], rows: rows).sql
                == "INSERT INTO \"m\" (\"user_id\", \"group_id\") VALUES (?, ?) ON CONFLICT DO NOTHING")
    }

    @Test func deletesAndUpdatesNumberTheirParameters() {
        let postgres = SQLDialect.postgres(schema: "s")
        let pairs = postgres.delete(
            from: "m", where: "u", "g", in: [(.text("u1"), .text("g1")), (.text("u2"), .text("g2"))])
        #expect(pairs.sql == "DELETE FROM \"s\".\"m\" WHERE (\"u\" = $1 AND \"g\" = $2) OR (\"u\" = $3 AND \"g\" = $4)")
        let update = postgres.update(
            "users", set: [("grp", .null)], where: "id", in: [.text("1")], andWhere: ("grp", .text("g")))
        #expect(update.sql == "UPDATE \"s\".\"users\" SET \"grp\" = $1 WHERE \"id\" = $2 AND \"grp\" = $3")
        #expect(update.parameters == [.null, .text("1"), .text("g")])
        let many = SQLDialect.mariaDB.delete(from: "users", where: "id", in: [.int(1), .int(2)])
        #expect(many.sql == "DELETE FROM `users` WHERE `id` IN (?, ?)")
    }

    @Test func rowsPerStatementRespectsTheParameterLimit() {
        #expect(SQLDialect.sqlite.rowsPerStatement(columnsPerRow: 100) == 327)
        #expect(SQLDialect.mariaDB.rowsPerStatement(columnsPerRow: 100) == 655)
        #expect(SQLDialect.postgres(schema: "s").rowsPerStatement(columnsPerRow: 2) == 1000)
        #expect(SQLDialect.sqlite.rowsPerStatement(columnsPerRow: 40000) == 1)
    }
}
