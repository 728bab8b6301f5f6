import Directory
import SQLClients
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

    @Test func postgresUpsertWithColumnTypesBindsOneArrayPerColumn() {
        let rows: [[SQLValue]] = [[.text("1"), .text("a\"b"), .null], [.text("2"), .text("c\\d"), .bool(true)]]
        let statement = SQLDialect.postgres(schema: "p").upsert(
            table: "u", columns: ["id", "login", "enabled"], key: "id", rows: rows,
            columnTypes: ["text", "character varying", "boolean"])
        #expect(
            statement.sql
                == "INSERT INTO \"p\".\"u\" (\"id\", \"login\", \"enabled\") SELECT * FROM unnest($1::text[], "
                + "$2::character varying[], $3::boolean[]) ON CONFLICT (\"id\") DO UPDATE SET \"login\" = EXCLUDED.\"login\", "
                + "\"enabled\" = EXCLUDED.\"enabled\"")
        #expect(statement.parameters == [.text(#"{"1","2"}"#), .text(#"{"a\"b","c\\d"}"#), .text(#"{NULL,"t"}"#)])
        #expect(statement.recurs)
        // Without a type for every column, and in the other dialects, the VALUES list.
        let partial = SQLDialect.postgres(schema: "p").upsert(
            table: "u", columns: ["id", "login"], key: "id", rows: [[.text("1"), .text("a")]], columnTypes: ["text"])
        #expect(partial.sql.contains(" VALUES ($1, $2) ") && !partial.recurs)
        let sqlite = SQLDialect.sqlite.upsert(
            table: "u", columns: ["id"], key: "id", rows: [[.text("1")]], columnTypes: ["text"])
        #expect(sqlite.sql.contains(" VALUES (?) ") && !sqlite.recurs)
    }

    @Test func postgresDeletesAndUpdatesOfManyKeysBindOneArray() {
        let postgres = SQLDialect.postgres(schema: "p")
        let ids: [SQLValue] = [.text("1"), .text("2")]
        let delete = postgres.delete(from: "u", where: "id", in: ids, keyType: "text")
        #expect(delete.sql == "DELETE FROM \"p\".\"u\" WHERE \"id\" IN (SELECT unnest($1::text[]))")
        #expect(delete.parameters == [.text(#"{"1","2"}"#)] && delete.recurs)
        // One key keeps `= $1`; no type keeps the IN list.
        #expect(postgres.delete(from: "u", where: "id", in: [.text("1")], keyType: "text").sql.hasSuffix("\"id\" = $1"))
        #expect(postgres.delete(from: "u", where: "id", in: ids).sql.hasSuffix("\"id\" IN ($1, $2)"))
        let pairs = postgres.delete(
            from: "m", where: "user_id", "group_id", in: [(.text("u1"), .text("g1")), (.text("u2"), .text("g1"))],
            keyTypes: ["text", "integer"])
        #expect(
            pairs.sql
                == "DELETE FROM \"p\".\"m\" WHERE (\"user_id\", \"group_id\") IN (SELECT * FROM unnest($1::text[], $2::integer[]))")
        #expect(pairs.parameters == [.text(#"{"u1","u2"}"#), .text(#"{"g1","g1"}"#)] && pairs.recurs)
        let update = postgres.update("u", set: [("enabled", .bool(false))], where: "id", in: ids, keyType: "text")
        #expect(update.sql == "UPDATE \"p\".\"u\" SET \"enabled\" = $1 WHERE \"id\" IN (SELECT unnest($2::text[]))")
        #expect(update.recurs)
        // A guarded update keeps its IN list, and SQLite ignores the types.
        let guarded = postgres.update(
            "u", set: [("group_id", .null)], where: "id", in: ids, andWhere: ("group_id", .text("g")), keyType: "text")
        #expect(guarded.sql.contains(" IN ($2, $3)") && !guarded.recurs)
        #expect(!SQLDialect.sqlite.delete(from: "u", where: "id", in: ids, keyType: "text").recurs)
    }

    @Test func postgresArrayLiteralsQuoteEveryElement() {
        #expect(PostgresArrayLiteral.text([SQLValue]()) == "{}")
        #expect(PostgresArrayLiteral.text([.text("NULL"), .null, .text("")]) == #"{"NULL",NULL,""}"#)
        #expect(PostgresArrayLiteral.text([.text(" a,b }{ "), .text("\n\t")]) == "{\" a,b }{ \",\"\n\t\"}")
        #expect(PostgresArrayLiteral.text([.int(-7), .bool(false), .bytes([0xAB])]) == #"{"-7","f","\\xab"}"#)
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
