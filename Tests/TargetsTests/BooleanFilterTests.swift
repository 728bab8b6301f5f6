import Directory
import SCIM
import Testing
import Targets

/// `active eq true` and friends on each database: a number column read as a boolean is true
/// when it is not zero (MySQL's rule, and how rows read back), so 7 and -1 are active users;
/// PostgreSQL's boolean column compares as a boolean.
@Suite struct BooleanFilterTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case mariaDB, postgres, sqlite
        var testDescription: String { rawValue }
    }

    @Test(arguments: Backend.allCases)
    func booleanFiltersReadEveryNonZeroNumberAsTrue(backend: Backend) throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        let database =
            switch backend {
            case .mariaDB: try TargetUnderTest.mariaDB(layout)
            case .postgres: try TargetUnderTest.postgres(layout, schema: "booleans_\(suffix)")
            case .sqlite: try TargetUnderTest.sqlite(layout)
            }
        let target = try database.createTablesAndOpen()
        // Three active users, one inactive, one whose activity is unknown. MariaDB's TINYINT(1)
        // and SQLite's INTEGER hold whatever a source or another writer put there.
        let values =
            backend == .postgres ? ["TRUE", "TRUE", "TRUE", "FALSE", "NULL"] : ["7", "-1", "1", "0", "NULL"]
        let dialect = database.dialect
        let rows = values.enumerated().map { "('u\($0.offset)', \($0.element))" }.joined(separator: ", ")
        try database.connection.run(
            "INSERT INTO \(dialect.table(layout.users.table)) (\(dialect.quote("id")), \(dialect.quote("enabled"))) VALUES \(rows)")

        func count(_ filter: String) throws -> Int {
            try target.count(.user, matching: try Filter.parse(filter))
        }
        #expect(try count("active eq true") == 3)
        #expect(try count("active eq false") == 1)
        #expect(try count("active ne true") == 1)
        #expect(try count("active ne false") == 3)
        // The SCIM evaluator's `not`: an absent value is not true, so it is counted.
        #expect(try count("not (active eq true)") == 2)
        #expect(try count("active pr") == 4)
    }
}
