import Directory
@testable import MySQLSource
import Testing

@Suite struct KeysetQueryTests {
    @Test func identifiersAreQuotedWithBackticksDoubled() {
        #expect(KeysetQuery.quote("users") == "`users`")
        #expect(KeysetQuery.quote("we`ird") == "`we``ird`")
        #expect(KeysetQuery.quote("a``b") == "`a````b`")
    }

    @Test func aSingleKeyPagesWithAGreaterThan() {
        let query = KeysetQuery(table: "users", database: "hr", keyColumns: ["id"], columns: nil, chunkSize: 500)
        #expect(query.first == "SELECT * FROM `hr`.`users` ORDER BY `id` LIMIT 500")
        #expect(query.after == "SELECT * FROM `hr`.`users` WHERE `id` >= ? AND ((`id` > ?)) ORDER BY `id` LIMIT 500")
        #expect(query.afterParameters([.int(7)]) == [.int(7), .int(7)])
    }

    @Test func aCompositeKeyExpandsTheRowComparison() {
        let query = KeysetQuery(
            table: "rel", database: nil, keyColumns: ["a", "b", "c"], columns: ["x", "B"], chunkSize: 3
        )
        #expect(query.first == "SELECT `x`, `B`, `a`, `c` FROM `rel` ORDER BY `a`, `b`, `c` LIMIT 3")
        #expect(query.after == "SELECT `x`, `B`, `a`, `c` FROM `rel` WHERE `a` >= ? AND ((`a` > ?) OR "
            + "(`a` = ? AND `b` > ?) OR (`a` = ? AND `b` = ? AND `c` > ?)) ORDER BY `a`, `b`, `c` LIMIT 3")
        #expect(query.afterParameters([.int(1), .text("k"), .uint(9)]) == [
            .int(1), .int(1), .int(1), .text("k"), .int(1), .text("k"), .uint(9),
        ])
    }
}
