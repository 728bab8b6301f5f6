import Foundation
import MySQLBinlog

/// The binlog files captured from MariaDB 10.11 (see Fixtures/README.md for how).
enum Fixtures {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw FixtureMissing(name: name)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    static func events(_ name: String) throws -> [(event: BinlogEvent, position: BinlogPosition)] {
        var reader = try BinlogFileReader(file: name, bytes: try bytes(name))
        return try reader.readAll()
    }

    struct FixtureMissing: Error {
        var name: String
    }
}

extension Fixtures {
    /// Every row image of `table` (`schema.table`) in the fixture file, in binlog order.
    static func rows(_ file: String, table: String) throws -> [RowImages] {
        var maps: [UInt64: TableMapEvent] = [:]
        var result: [RowImages] = []
        for (event, _) in try events(file) {
            switch event {
            case .tableMap(let map):
                maps[map.tableID] = map
            case .rows(let rows):
                guard let map = maps[rows.tableID], map.qualifiedName == table else { continue }
                result += try rows.rows(using: map)
            default:
                continue
            }
        }
        return result
    }

    /// The after images of the inserts into `table`.
    static func inserted(_ file: String, table: String) throws -> [[BinlogValue]] {
        try rows(file, table: table).compactMap(\.after)
    }
}

extension Fixtures {
    /// The last TABLE_MAP of `table` in the file.
    static func tableMap(_ file: String, table: String) throws -> TableMapEvent? {
        var found: TableMapEvent?
        for (event, _) in try events(file) {
            if case .tableMap(let map) = event, map.qualifiedName == table { found = map }
        }
        return found
    }
}
