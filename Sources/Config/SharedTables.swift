import Directory
import Foundation

/// Two pipelines writing the same table of the same database, or a pipeline writing a table
/// some pipeline reads. Either works row by row, but the target then follows two masters:
/// each pipeline's reconciliation takes the other's rows for rows it did not create, a user
/// with the same id in both sources is written back and forth, and a table that is both read
/// and written feeds every change back into the stream that made it. `check` warns, and `run`
/// logs it at start; a deliberate merge of two sources with ids that never meet may keep it.
enum SharedTables {
    /// A warning per table written twice or written and read, naming the pipelines.
    static func warnings(_ config: ScimsyncConfig, file: String) -> [String] {
        var writers: [TableAddress: [Int]] = [:]
        var readers: [TableAddress: [Int]] = [:]
        var order: [TableAddress] = []
        for (index, pipeline) in config.pipelines.enumerated() {
            if let endpoint = pipeline.target.sql {
                for address in addresses(endpoint) {
                    if writers[address] == nil, readers[address] == nil { order.append(address) }
                    writers[address, default: []].append(index)
                }
            }
            if let endpoint = pipeline.source.sql {
                for address in addresses(endpoint) {
                    if writers[address] == nil, readers[address] == nil { order.append(address) }
                    readers[address, default: []].append(index)
                }
            }
        }
        let names = config.pipelines.enumerated().map { "pipelines[\($0.offset)] (\($0.element.name))" }
        var found: [String] = []
        for address in order {
            let writing = writers[address] ?? []
            if writing.count > 1 {
                found.append(
                    "\(file): \(writing.map { names[$0] }.joined(separator: " and ")) all write table \(address): each one's "
                        + "reconciliation takes the others' rows for rows it did not create, and a user in two sources is "
                        + "written back and forth; give each pipeline tables of its own")
            }
            if let reading = readers[address], !writing.isEmpty {
                found.append(
                    "\(file): \(writing.map { names[$0] }.joined(separator: " and ")) write\(writing.count == 1 ? "s" : "") "
                        + "table \(address), which \(reading.map { names[$0] }.joined(separator: " and ")) "
                        + "read\(reading.count == 1 ? "s" : ""): what is written there comes back as a source change; "
                        + "write to other tables")
            }
        }
        return found
    }

    /// A table of one database, as the warning names it.
    private struct TableAddress: Hashable, CustomStringConvertible {
        var database: String
        var table: String

        var description: String { "\(table) of \(database)" }
    }

    /// The layout's tables in the endpoint's database. Names compare without case: MariaDB
    /// on a case-insensitive file system, SQLite and SQL Server's usual collation all take
    /// `Users` for `users`, and a warning too many costs less than a loop missed.
    private static func addresses(_ endpoint: Endpoint) -> [TableAddress] {
        let database = Self.database(endpoint.connection)
        let layout = endpoint.layout
        let tables = [layout.users.table, layout.groups?.table, layout.membership?.table].compactMap { $0 }
        return Set(tables.map { $0.lowercased() }).sorted().map { TableAddress(database: database, table: $0) }
    }

    /// Where the tables are: the kind, server, database and schema, or the SQLite file with
    /// its links resolved.
    private static func database(_ connection: ConnectionConfig) -> String {
        switch connection {
        case .mysql(let config):
            "mysql \(host(config.host)):\(config.port)/\(config.database)"
        case .postgres(let config):
            "postgres \(host(config.host)):\(config.port)/\(config.database) schema \(config.schema)"
        case .sqlserver(let config):
            "sqlserver \(host(config.host)):\(config.port)/\(config.database) schema \(config.schema.lowercased())"
        case .sqlite(let config):
            "sqlite \(URL(fileURLWithPath: config.path).standardizedFileURL.resolvingSymlinksInPath().path)"
        }
    }

    /// The loopback's two usual names as one.
    private static func host(_ name: String) -> String {
        let lowered = name.lowercased()
        return ["localhost", "127.0.0.1", "::1", "[::1]"].contains(lowered) ? "localhost" : lowered
    }
}
