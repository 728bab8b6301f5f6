import Directory
import Reconcile
import SQLClients

/// The target side: one scan of the target in key order (keyset pagination on the layout's
/// key columns, which the rows carry under the layout's names).
///
/// In integer order over text ids (`numeric` with a text key: a source with integer ids, a
/// target that keeps them as text), the scan walks one id length at a time, each in text
/// order, which for digits without leading zeros is their numeric order; a membership scan
/// then puts each user's groups in numeric order itself (a user's rows are whole before they
/// are handed out, so a user holds at most their own memberships in memory).
final class TargetRows {
    private let target: SQLTarget
    private let scan: TargetScan
    private let keys: [String]
    private let chunkSize: Int
    private let byLength: Bool
    private var length: Int?
    private var lastKey: [SQLValue]?
    private var held: [Row] = []
    private var done = false

    init(_ target: SQLTarget, scan: TargetScan, chunkSize: Int, numeric: Bool) throws {
        self.target = target
        self.scan = scan
        self.chunkSize = chunkSize
        let layout = target.layout
        switch scan {
        case .users: keys = [layout.userMapper.idColumn]
        case .groups: keys = [layout.groupMapper?.idColumn ?? "id"]
        case .memberships:
            keys = layout.membership.map { [$0.user, $0.group] } ?? [layout.userMapper.idColumn]
        }
        byLength = try numeric && target.hasTextKey(scan)
    }

    func next() throws -> [Row]? {
        guard !done else { return nil }
        guard byLength else { return try plainChunk() }
        if length == nil {
            length = try target.nextKeyLength(scan, above: 0)
            if length == nil { return finish() }
        }
        let rows = try target.readChunk(scan, after: lastKey, limit: chunkSize, keyLength: length)
        lastKey = rows.last.map { last in keys.map { last[$0] ?? .null } }
        let lengthDone = rows.count < chunkSize
        if lengthDone {
            length = try target.nextKeyLength(scan, above: length ?? 0)
            lastKey = nil
            if length == nil { done = true }
        }
        guard keys.count == 2 else { return rows }
        // Memberships: hand out whole users only, each with its groups in numeric order.
        var all = held + rows
        held = []
        if !lengthDone, let lastUser = all.last?[keys[0]] {
            let cut = all.lastIndex { $0[keys[0]] != lastUser }.map { $0 + 1 } ?? 0
            held = Array(all[cut...])
            all.removeSubrange(cut...)
        }
        return sortedGroups(all)
    }

    private func finish() -> [Row]? {
        done = true
        guard !held.isEmpty else { return nil }
        defer { held = [] }
        return sortedGroups(held)
    }

    private func sortedGroups(_ rows: [Row]) -> [Row] {
        let (user, group) = (keys[0], keys[1])
        var result: [Row] = []
        result.reserveCapacity(rows.count)
        var start = 0
        while start < rows.count {
            var end = start + 1
            while end < rows.count, rows[end][user] == rows[start][user] { end += 1 }
            result += rows[start..<end].sorted { IDOrder.numeric.compare(text($0[group]), text($1[group])) < 0 }
            start = end
        }
        return result
    }

    private func text(_ value: SQLValue?) -> String {
        switch value {
        case .text(let text)?: text
        case .int(let number)?: String(number)
        case .uint(let number)?: String(number)
        default: ""
        }
    }

    private func plainChunk() throws -> [Row]? {
        let rows = try target.readChunk(scan, after: lastKey, limit: chunkSize)
        if rows.count < chunkSize { done = true }
        guard let last = rows.last else {
            done = true
            return nil
        }
        lastKey = keys.map { last[$0] ?? .null }
        return rows
    }
}
