import Directory
import Foundation
import SQLClients
import TestSupport
import Testing

/// A source database a workload writes to: MariaDB as it is, or SQL Server through an adapter
/// (SQLServerSourceWorkloadDatabase) that speaks the same statements.
protocol WorkloadDatabase: AnyObject {
    @discardableResult func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row]
    @discardableResult func execute(_ sql: String) throws -> UInt64
}

extension WorkloadDatabase {
    @discardableResult func query(_ sql: String) throws -> [Row] { try query(sql, []) }
}

extension MariaDBConnection: WorkloadDatabase {}

/// SplitMix64: a small seeded generator, so that a failing run replays from its printed seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A set with O(1) insert, remove and random pick.
struct PickableSet<Element: Hashable> {
    private(set) var elements: [Element] = []
    private var index: [Element: Int] = [:]

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    func contains(_ element: Element) -> Bool { index[element] != nil }

    mutating func insert(_ element: Element) {
        guard index[element] == nil else { return }
        index[element] = elements.count
        elements.append(element)
    }

    mutating func remove(_ element: Element) {
        guard let position = index.removeValue(forKey: element) else { return }
        let last = elements.removeLast()
        if position < elements.count {
            elements[position] = last
            index[last] = position
        }
    }

    func randomElement(using random: inout SeededGenerator) -> Element? {
        elements.isEmpty ? nil : elements[Int.random(in: 0..<elements.count, using: &random)]
    }
}

/// The directory in a source with the seed layout (config/sql/mariadb-source.sql), as the
/// pipelines of config/mariadb-to-*.yaml map it, in comparable text rows.
///
/// Users `id|login|given_name|family_name|mail|title|employee_no|enabled`, groups
/// `id|title|parent`, memberships `user_id|group_id`; NULL as `NULL`, booleans as 1/0.
struct DirectoryRows: Equatable, CustomStringConvertible {
    var users: [String]
    var groups: [String]
    var memberships: [String]

    init(users: [String], groups: [String], memberships: [String]) {
        self.users = users.sorted()
        self.groups = groups.sorted()
        self.memberships = memberships.sorted()
    }

    /// The portal tables of a target (the example configs' target layout), read through `query`.
    static func target(tablePrefix: String = "", _ query: (String) throws -> [Row]) throws -> DirectoryRows {
        DirectoryRows(
            users: try query(
                "SELECT id, login, given_name, family_name, mail, title, employee_no, enabled FROM \(tablePrefix)portal_users"
            ).map(text),
            groups: try query("SELECT id, title, parent FROM \(tablePrefix)portal_groups").map(text),
            memberships: try query("SELECT user_id, group_id FROM \(tablePrefix)portal_memberships").map(text))
    }

    /// A seed-layout source mapped as the example configs map it, plus the rows of users the
    /// target keeps deactivated.
    static func source(_ source: any WorkloadDatabase, deactivated: [String]) throws -> DirectoryRows {
        let live = try source.query(
            "SELECT id, username, first_name, last_name, email, job_title, employee_number, is_active FROM sync_users")
        return DirectoryRows(
            users: live.map(DirectoryRows.text) + deactivated,
            groups: try source.query("SELECT id, name, parent_id FROM sync_groups").map(DirectoryRows.text),
            memberships: try source.query("SELECT user_id, group_id FROM sync_users_groups_rel").map(DirectoryRows.text))
    }

    static func text(_ row: Row) -> String {
        row.values.map(text).joined(separator: "|")
    }

    static func text(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .bool(let flag): flag ? "1" : "0"
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .text(let text): text
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        default: "\(value)"
        }
    }

    /// What differs, for a failure message: counts and the first rows each side lacks.
    func difference(from other: DirectoryRows) -> String {
        func diff(_ name: String, _ mine: [String], _ theirs: [String]) -> String? {
            guard mine != theirs else { return nil }
            let onlyMine = Set(mine).subtracting(theirs).sorted().prefix(5)
            let onlyTheirs = Set(theirs).subtracting(mine).sorted().prefix(5)
            let duplicates = mine.count - Set(mine).count
            return "\(name): \(mine.count) rows vs \(theirs.count) expected (\(duplicates) duplicates); "
                + "unexpected \(Array(onlyMine)), missing \(Array(onlyTheirs))"
        }
        return [
            diff("users", users, other.users), diff("groups", groups, other.groups),
            diff("memberships", memberships, other.memberships),
        ].compactMap { $0 }.joined(separator: "\n")
    }

    var description: String { "\(users.count) users, \(groups.count) groups, \(memberships.count) memberships" }
}

/// A randomised workload of directory changes against a source with the seed layout: user
/// inserts, updates (unicode, NULLs, e-mail and login changes, `is_active` flips, unmapped
/// columns only), deletes (with their relation rows), re-inserts of deleted ids,
/// id changes (the relation rows follow, as `ON UPDATE CASCADE` would), group inserts under
/// random parents, renames, parent moves that never make a cycle, membership inserts and
/// deletes, in transactions of 1–20 operations.
///
/// It remembers the last row of every user it deleted: with `onDelete: deactivate` that row
/// stays in the target with enabled = 0. A user whose id changed is deleted at the target
/// (an id update is a delete and a create), whatever the delete policy.
/// Used by one thread at a time (hence `@unchecked Sendable`).
final class DirectoryWorkload: @unchecked Sendable {
    let seed: UInt64
    private var random: SeededGenerator
    private var source: any WorkloadDatabase
    private var users = PickableSet<Int>()
    private var groups = PickableSet<Int>()
    private var parents: [Int: Int] = [:]
    private var memberships = PickableSet<Pair>()
    /// Deleted users' last rows as the target keeps them (deactivated).
    private(set) var deactivated: [Int: String] = [:]
    private var deleted = PickableSet<Int>()
    private var nextUserID = 0
    private var nextGroupID = 0
    private var nextName = 0
    private(set) var operations = 0
    private let lock = NSLock()
    private var onlyAdditions = false

    /// While set, only inserts, updates, renames, parent moves and membership additions: no
    /// user deletes, id changes or membership removals. A first load interrupted by a crash
    /// starts again from a new snapshot without removing what the first attempt loaded, so a
    /// removal between the two snapshots would stay undone (see CrashSafetyTests).
    var additionsOnly: Bool {
        get { lock.withLock { onlyAdditions } }
        set { lock.withLock { onlyAdditions = newValue } }
    }

    struct Pair: Hashable {
        var user: Int
        var group: Int
    }

    /// Reads the source's current rows as the starting state.
    init(source: any WorkloadDatabase, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) throws {
        self.seed = seed
        self.random = SeededGenerator(seed: seed)
        self.source = source
        for row in try source.query("SELECT id FROM sync_users") { users.insert(Self.int(row.values[0])) }
        for row in try source.query("SELECT id, parent_id FROM sync_groups") {
            let id = Self.int(row.values[0])
            groups.insert(id)
            if row.values[1] != .null { parents[id] = Self.int(row.values[1]) }
        }
        for row in try source.query("SELECT user_id, group_id FROM sync_users_groups_rel") {
            memberships.insert(Pair(user: Self.int(row.values[0]), group: Self.int(row.values[1])))
        }
        nextUserID = (users.elements.max() ?? 0) + 1
        nextGroupID = (groups.elements.max() ?? 0) + 1
        nextName = nextUserID
    }

    /// Goes on over a new connection (after the server restarted).
    func reconnect(_ connection: any WorkloadDatabase) { source = connection }

    static func int(_ value: SQLValue) -> Int {
        switch value {
        case .int(let number): Int(number)
        case .uint(let number): Int(number)
        default: -1
        }
    }

    /// Runs transactions until at least `count` operations have been committed.
    func run(operations count: Int) throws {
        let goal = operations + count
        while operations < goal { try transaction() }
    }

    /// One transaction of 1–20 random operations.
    func transaction() throws {
        try source.execute("START TRANSACTION")
        do {
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                try operation()
                operations += 1
            }
            try source.execute("COMMIT")
        } catch {
            _ = try? source.execute("ROLLBACK")
            throw error
        }
    }

    /// The rows the target must hold: the source's tables mapped, plus the deactivated users.
    func expected() throws -> DirectoryRows {
        try DirectoryRows.source(source, deactivated: Array(deactivated.values))
    }

    // MARK: Operations

    private func operation() throws {
        var draw = Int.random(in: 0..<100, using: &random)
        if additionsOnly, (42..<52).contains(draw) || draw >= 87 { draw = 0 }
        switch draw {
        case 0..<18: try insertUser(id: nil)
        case 18..<42: try updateUser()
        case 42..<48: try deleteUser()
        case 48..<50: try reinsertDeletedUser()
        case 50..<52: try changeUserID()
        case 52..<57: try insertGroup()
        case 57..<62: try renameGroup()
        case 62..<67: try moveGroup()
        case 67..<87: try addMembership()
        default: try removeMembership()
        }
    }

    private func insertUser(id: Int?) throws {
        let id = id ?? { defer { nextUserID += 1 }; return nextUserID }()
        try source.query(
            "INSERT INTO sync_users (id, username, first_name, last_name, email, job_title, employee_number, is_active) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.int(Int64(id)), .text(freshLogin()), maybe(name()), maybe(name()), maybe(email()), maybe(name()),
             maybe(employeeNumber()), .int(Bool.random(using: &random) ? 1 : 0)])
        users.insert(id)
        deactivated[id] = nil
        deleted.remove(id)
    }

    private func updateUser() throws {
        guard let id = users.randomElement(using: &random) else { return try insertUser(id: nil) }
        var assignments: [(String, SQLValue)] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<8, using: &random) {
            case 0: assignments.append(("first_name", maybe(name())))
            case 1: assignments.append(("last_name", maybe(name())))
            case 2: assignments.append(("email", maybe(email())))
            case 3: assignments.append(("job_title", maybe(name())))
            case 4: assignments.append(("employee_number", maybe(employeeNumber())))
            case 5: assignments.append(("is_active", .int(Bool.random(using: &random) ? 1 : 0)))
            case 6: assignments.append(("username", .text(freshLogin())))
            default:
                // An unmapped column only: the target must not change.
                assignments.append(("updated_at", .text("2026-01-0\(Int.random(in: 1...9, using: &random)) 10:00:00")))
            }
        }
        // One assignment per column (the last drawn wins).
        var seen: Set<String> = []
        assignments = assignments.reversed().filter { seen.insert($0.0).inserted }
        let set = assignments.map { "\($0.0) = ?" }.joined(separator: ", ")
        try source.query("UPDATE sync_users SET \(set) WHERE id = ?", assignments.map(\.1) + [.int(Int64(id))])
    }

    private func deleteUser() throws {
        guard let id = users.randomElement(using: &random) else { return }
        let row = try source.query(
            "SELECT id, username, first_name, last_name, email, job_title, employee_number FROM sync_users WHERE id = ?",
            [.int(Int64(id))])
        try source.query("DELETE FROM sync_users WHERE id = ?", [.int(Int64(id))])
        users.remove(id)
        deactivated[id] = row.first.map { DirectoryRows.text($0) + "|0" }
        deleted.insert(id)
        // The application removes the memberships too: a relation row naming a missing user
        // could not be loaded into a target whose foreign keys hold.
        try source.query("DELETE FROM sync_users_groups_rel WHERE user_id = ?", [.int(Int64(id))])
        for pair in memberships.elements where pair.user == id { memberships.remove(pair) }
    }

    private func reinsertDeletedUser() throws {
        guard let id = deleted.randomElement(using: &random) else { return try insertUser(id: nil) }
        try insertUser(id: id)
    }

    private func changeUserID() throws {
        guard let old = users.randomElement(using: &random) else { return }
        let new = nextUserID
        nextUserID += 1
        try source.query("UPDATE sync_users SET id = ? WHERE id = ?", [.int(Int64(new)), .int(Int64(old))])
        try source.query("UPDATE sync_users_groups_rel SET user_id = ? WHERE user_id = ?", [.int(Int64(new)), .int(Int64(old))])
        users.remove(old)
        users.insert(new)
        for pair in memberships.elements where pair.user == old {
            memberships.remove(pair)
            memberships.insert(Pair(user: new, group: pair.group))
        }
    }

    private func insertGroup() throws {
        let id = nextGroupID
        nextGroupID += 1
        let parent = Int.random(in: 0..<10, using: &random) < 3 ? nil : groups.randomElement(using: &random)
        try source.query(
            "INSERT INTO sync_groups (id, name, parent_id) VALUES (?, ?, ?)",
            [.int(Int64(id)), .text(name()), parent.map { .int(Int64($0)) } ?? .null])
        groups.insert(id)
        parents[id] = parent
    }

    private func renameGroup() throws {
        guard let id = groups.randomElement(using: &random) else { return try insertGroup() }
        try source.query("UPDATE sync_groups SET name = ? WHERE id = ?", [.text(name()), .int(Int64(id))])
    }

    /// A new parent that is neither the group nor one of its descendants, or none.
    private func moveGroup() throws {
        guard let id = groups.randomElement(using: &random) else { return try insertGroup() }
        var parent: Int? = nil
        if Int.random(in: 0..<10, using: &random) >= 2, let candidate = groups.randomElement(using: &random) {
            var ancestor: Int? = candidate
            var cycle = false
            while let current = ancestor {
                if current == id { cycle = true; break }
                ancestor = parents[current]
            }
            if !cycle { parent = candidate }
        }
        try source.query(
            "UPDATE sync_groups SET parent_id = ? WHERE id = ?", [parent.map { .int(Int64($0)) } ?? .null, .int(Int64(id))])
        parents[id] = parent
    }

    private func addMembership() throws {
        guard let user = users.randomElement(using: &random), let group = groups.randomElement(using: &random) else { return }
        let pair = Pair(user: user, group: group)
        guard !memberships.contains(pair) else { return additionsOnly ? () : try removeMembership() }
        try source.query("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (?, ?)", [.int(Int64(user)), .int(Int64(group))])
        memberships.insert(pair)
    }

    private func removeMembership() throws {
        guard let pair = memberships.randomElement(using: &random) else { return }
        try source.query(
            "DELETE FROM sync_users_groups_rel WHERE user_id = ? AND group_id = ?", [.int(Int64(pair.user)), .int(Int64(pair.group))])
        memberships.remove(pair)
    }

    // MARK: Values

    /// Letters from several scripts, 4-byte UTF-8, quotes and backslashes.
    private static let alphabet: [String] = [
        "a", "b", "e", "n", "r", "s", "A", "Z", "ä", "ö", "ü", "ß", "é", "ł", "ñ", "Ω", "π", "ж", "中", "文", "한",
        "😀", "🎉", "'", "\"", "\\", "-", "0", "7",
    ]

    private func name() -> String {
        var text = ""
        for index in 0..<Int.random(in: 1...12, using: &random) {
            if index > 0, index < 11, Int.random(in: 0..<8, using: &random) == 0 { text += " " }
            text += Self.alphabet.randomElement(using: &random)!
        }
        return text
    }

    /// Unique for the whole run (never reused, also not by deleted users the target keeps).
    private func freshLogin() -> String {
        nextName += 1
        return ["user", "ünï", "김", "Ωμέγα", "😀x", "o'brien"].randomElement(using: &random)! + String(nextName)
    }

    private func email() -> String {
        ["a", "jo.doe", "ünï", "x+tag"].randomElement(using: &random)! + "\(Int.random(in: 0..<100_000, using: &random))@example.com"
    }

    private func employeeNumber() -> String { String(Int.random(in: 1...9_999_999, using: &random)) }

    /// The value, or NULL one time in five.
    private func maybe(_ value: String) -> SQLValue {
        Int.random(in: 0..<5, using: &random) == 0 ? .null : .text(value)
    }
}

/// Polls `read` until it equals `expected` or `timeout` passes; records the difference then.
func converge(
    _ what: String, seed: UInt64, expected: DirectoryRows, timeout: Duration = TestBounds.serverEvent,
    _ read: () throws -> DirectoryRows
) async throws {
    let deadline = ContinuousClock.now + timeout
    var last: DirectoryRows?
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            let rows = try read()
            if rows == expected { return }
            last = rows
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record(
        """
        \(what) did not converge (seed \(seed)): expected \(expected), target \(last.map { "\($0)" } ?? "unreadable: \(String(describing: lastError))")
        \(last.map { $0.difference(from: expected) } ?? "")
        """)
}
