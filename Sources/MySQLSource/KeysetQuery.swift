import Foundation
import Directory

/// The SQL of keyset pagination over a (possibly composite) primary key: each chunk starts
/// strictly after the last key of the previous one, so every row is read once, in key order,
/// without OFFSET (which rereads everything before the offset) and whatever the table's size.
struct KeysetQuery: Sendable, Hashable {
    let selectList: String
    let table: String
    let keyColumns: [String]
    let chunkSize: Int

    /// - Parameters:
    ///   - columns: the columns to read; nil for all. Key columns missing from the list are
    ///     added, as the next chunk starts after the last row's key.
    init(table: String, database: String?, keyColumns: [String], columns: [String]?, chunkSize: Int) {
        precondition(!keyColumns.isEmpty, "keyset pagination needs a key")
        precondition(chunkSize > 0, "a chunk holds at least one row")
        if let columns {
            let missing = keyColumns.filter { key in !columns.contains { $0.caseInsensitiveCompare(key) } }
            selectList = (columns + missing).map(Self.quote).joined(separator: ", ")
        } else {
            selectList = "*"
        }
        self.table = database.map { "\(Self.quote($0)).\(Self.quote(table))" } ?? Self.quote(table)
        self.keyColumns = keyColumns
        self.chunkSize = chunkSize
    }

    /// A MariaDB/MySQL identifier in backticks, backticks inside doubled (MariaDB docs,
    /// "Identifier Names": "a backtick ... can be escaped with a second backtick").
    static func quote(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }

    private var orderBy: String {
        keyColumns.map(Self.quote).joined(separator: ", ")
    }

    /// The first chunk.
    var first: String {
        "SELECT \(selectList) FROM \(table) ORDER BY \(orderBy) LIMIT \(chunkSize)"
    }

    /// The chunk after a row whose key is bound to the markers as `afterParameters` returns.
    ///
    /// `(k1, k2) > (?, ?)` is written out as `k1 >= ? AND (k1 > ? OR (k1 = ? AND k2 > ?))`: the
    /// same order, and the leading `k1 >= ?` gives the range optimizer of every MariaDB and
    /// MySQL version an index range on the key's first column (row-constructor comparisons
    /// are not range-optimised everywhere).
    var after: String {
        let quoted = keyColumns.map(Self.quote)
        var alternatives: [String] = []
        for index in quoted.indices {
            let equal = quoted[..<index].map { "\($0) = ?" }
            alternatives.append((equal + ["\(quoted[index]) > ?"]).joined(separator: " AND "))
        }
        let condition = "\(quoted[0]) >= ? AND ((" + alternatives.joined(separator: ") OR (") + "))"
        return "SELECT \(selectList) FROM \(table) WHERE \(condition) ORDER BY \(orderBy) LIMIT \(chunkSize)"
    }

    /// The values for `after`'s markers, from the last row's key.
    func afterParameters(_ key: [SQLValue]) -> [SQLValue] {
        var parameters = [key[0]]
        for index in key.indices {
            parameters.append(contentsOf: key[...index])
        }
        return parameters
    }
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
