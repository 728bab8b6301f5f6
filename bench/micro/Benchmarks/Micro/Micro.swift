import Benchmark
import Directory
import Foundation
import MicroFixtures
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

    // 1,000 updates of distinct users (each changes the family name) into SCIM operations.
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
