import Directory
import GRDB
import MySQLBinlog
import SCIM

extension OffsetStore {
    /// Everything recorded for `pipeline`'s source.
    public func schemaHistory(pipeline: String) throws(OffsetStoreError) -> SchemaHistory {
        let rows: [GRDB.Row]
        do {
            rows = try queue.read { db in
                try GRDB.Row.fetchAll(
                    db, sql: "SELECT file, offset, db, tbl, columns FROM schema_history WHERE pipeline = ?",
                    arguments: [pipeline])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
        var entries: [SchemaHistory.Entry] = []
        for row in rows {
            let columnsText: String? = row["columns"]
            var columns: [ColumnSchema]?
            if let columnsText {
                guard let decoded = Self.columns(fromJSON: columnsText) else {
                    throw .corrupt(path: path, what: "a schema history entry")
                }
                columns = decoded
            }
            let offset: Int64 = row["offset"]
            entries.append(.init(
                position: BinlogPosition(file: row["file"], offset: UInt64(offset)), schema: row["db"], table: row["tbl"],
                columns: columns))
        }
        return SchemaHistory(entries)
    }

    /// Stores every entry of `history` for `pipeline` (entries already stored are replaced),
    /// in one transaction.
    public func save(_ history: SchemaHistory, pipeline: String) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                for entry in history.allEntries {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO schema_history (pipeline, file, file_number, offset, db, tbl, columns)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            pipeline, entry.position.file, Self.fileNumber(entry.position.file), Int64(entry.position.offset),
                            entry.schema, entry.table, entry.columns.map(Self.json),
                        ])
                }
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The sequence number of a binlog file name (`mysql-bin.000042` → 42), for ordering in SQL.
    static func fileNumber(_ file: String) -> Int64 {
        file.split(separator: ".").last.flatMap { Int64($0) } ?? 0
    }

    static func json(_ columns: [ColumnSchema]) -> String {
        SCIMValue.array(columns.map { column in
            var object: SCIMObject = ["name": .string(column.name)]
            if column.isUnsigned { object["unsigned"] = .bool(true) }
            if let collation = column.collationID { object["collation"] = .integer(Int64(collation)) }
            if let members = column.members { object["members"] = .array(members.map(SCIMValue.string)) }
            if column.holdsJSONText { object["json"] = .bool(true) }
            return .object(object)
        }).jsonString()
    }

    static func columns(fromJSON text: String) -> [ColumnSchema]? {
        guard let array = (try? SCIMValue(json: text))?.arrayValue else { return nil }
        var columns: [ColumnSchema] = []
        for element in array {
            guard let object = element.objectValue, let name = object["name"]?.stringValue else { return nil }
            var collation: Int?
            if case .integer(let id)? = object["collation"] { collation = Int(id) }
            columns.append(ColumnSchema(
                name: name, isUnsigned: object["unsigned"]?.boolValue ?? false, collationID: collation,
                members: object["members"]?.arrayValue?.compactMap(\.stringValue),
                holdsJSONText: object["json"]?.boolValue ?? false))
        }
        return columns
    }
}
