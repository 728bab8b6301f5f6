import Daemon
import MySQLBinlog
import MySQLSource
import Testing

@Suite struct TailRangeTests {
    @Test func startForms() throws {
        #expect(try TailRange(from: "earliest", until: nil, tables: nil).start == .earliest)
        #expect(try TailRange(from: "now", until: nil, tables: nil).start == .now)
        #expect(try TailRange(from: "mysql-bin.000003:1234", until: nil, tables: nil).start
            == .position(BinlogPosition(file: "mysql-bin.000003", offset: 1234)))
        #expect(try TailRange(from: "0-1-42", until: nil, tables: nil).start == .gtid("0-1-42"))
        #expect(try TailRange(from: "0-1-42,1-2-7", until: nil, tables: nil).start == .gtid("0-1-42,1-2-7"))
    }

    @Test func endAndTables() throws {
        let range = try TailRange(from: "now", until: "binlog.000001:4", tables: "hr.sync_users,hr.sync_groups")
        #expect(range.end == .position(BinlogPosition(file: "binlog.000001", offset: 4)))
        #expect(range.tables == ["hr.sync_users", "hr.sync_groups"])
        #expect(try TailRange(from: "now", until: "now", tables: nil).end == .now)
    }

    @Test(arguments: [
        ("--from", "yesterday", nil, nil, #"--from "yesterday": expected earliest, now, FILE:POS (e.g. mysql-bin.000003:1234) or a MariaDB GTID (e.g. 0-1-42)"#),
        ("--from", "binlog.000001:3", nil, nil, #"--from "binlog.000001:3": expected earliest, now, FILE:POS (e.g. mysql-bin.000003:1234) or a MariaDB GTID (e.g. 0-1-42)"#),
        ("--from", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", nil, nil, #"--from "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5": expected earliest, now, FILE:POS (e.g. mysql-bin.000003:1234) or a MariaDB GTID (e.g. 0-1-42)"#),
        ("--until", "now", "earliest", nil, #"--until "earliest": expected now or FILE:POS (e.g. mysql-bin.000003:1234)"#),
        ("--tables", "now", nil, "hr.users,users", #"--tables "users": expected database.table names separated by commas"#),
        ("--tables", "now", nil, "hr.users;drop", #"--tables "hr.users;drop": expected database.table names separated by commas"#),
    ] as [(String, String, String?, String?, String)])
    func refusals(argument: String, from: String, until: String?, tables: String?, message: String) {
        let start = argument == "--from" ? from : "now"
        #expect {
            try TailRange(from: start, until: until, tables: tables)
        } throws: { error in
            "\(error)" == message
        }
    }
}
