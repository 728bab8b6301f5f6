import Benchmark
import Config
import Directory
import Foundation
import MySQLBinlog
import SCIM

/// The hot paths of a row change on its way through scimsync, each measured alone: the binlog
/// decoder, the mapping of row changes to SCIM operations, and the SCIM filter parser.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 100_000)

    // Every event and row image of the tests' fixture binlog (one table per type family with
    // edge values, a 211-column table), from memory.
    let binlog = loadFixture()
    Benchmark("binlog: decode every event and row image of a 12 KiB binlog") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try decodeAll(binlog))
        }
    }

    // 1,000 updates of users (every mapped column changed) into SCIM operations.
    let mapper = ChangeMapper(layout: try! exampleLayout(), onDelete: .deactivate)
    let batch = userUpdates(count: 1000)
    Benchmark("mapper: 1,000 user row updates to SCIM operations") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try mapper.ops(for: batch))
        }
    }

    let filter = #"userName eq "bjensen" and (emails[type eq "work" and value co "@example.com"] or not (active eq false))"#
    Benchmark("SCIM: parse a filter with a value path and not()") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Filter.parse(filter))
        }
    }
}

private func loadFixture() -> [UInt8] {
    guard let url = Bundle.module.url(forResource: "binlog.000001", withExtension: nil),
        let data = try? Data(contentsOf: url)
    else { fatalError("the fixture binlog.000001 is missing from the bundle") }
    return [UInt8](data)
}

/// Decodes each event, and each rows event's images with its TABLE_MAP; returns the row count.
private func decodeAll(_ bytes: [UInt8]) throws -> Int {
    var reader = try BinlogFileReader(file: "binlog.000001", bytes: bytes)
    var tables: [UInt64: TableMapEvent] = [:]
    var rows = 0
    while let (event, _) = try reader.next() {
        switch event {
        case .tableMap(let map): tables[map.tableID] = map
        case .rows(let event):
            if let map = tables[event.tableID] { rows += try event.rows(using: map).count }
        default: break
        }
    }
    return rows
}

/// The source layout of config/mariadb-to-sqlite.yaml (the seed tables).
private func exampleLayout() throws -> DirectoryLayout {
    let text = """
        offsets: { path: "offsets.db" }
        pipelines:
          - name: bench
            source:
              mysql: { host: 127.0.0.1, port: 3306, user: u, password: p, database: hr }
              layout:
                users:
                  table: sync_users
                  attributes:
                    id: id
                    userName: username
                    name.givenName: first_name
                    name.familyName: last_name
                    'emails[type eq "work"].value': email
                    title: job_title
                    active: is_active
                    urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: employee_number
                groups:
                  table: sync_groups
                  parent: parent_id
                  attributes: { id: id, displayName: name }
                membership: { table: sync_users_groups_rel, user: user_id, group: group_id }
            target:
              sqlite: { path: "portal.db" }
              layout:
                users: { table: portal_users, attributes: { id: id, userName: login } }
        """
    let config = try ConfigLoader.parse(text, file: "bench.yaml")
    guard let layout = config.pipelines.first?.source.sql?.layout else { fatalError("no source layout") }
    return layout
}

private func userUpdates(count: Int) -> ChangeBatch {
    let columns = ["id", "username", "first_name", "last_name", "email", "job_title", "employee_number", "is_active"]
    func row(_ id: Int, family: String) -> Row {
        Row(columns: columns, values: [
            .int(Int64(id)), .text("user\(id)"), .text("Chloé"), .text(family), .text("user\(id)@example.com"),
            .text("Software Engineer"), .text("E\(id)"), .int(1),
        ])
    }
    let changes = (1...count).map { id in
        RowChange(table: "sync_users", kind: .update, before: row(id, family: "Müller"), after: row(id, family: "García"))
    }
    return ChangeBatch(changes: changes, position: .binlog(file: "binlog.000001", offset: 4, gtid: nil), commitTime: 0)
}
