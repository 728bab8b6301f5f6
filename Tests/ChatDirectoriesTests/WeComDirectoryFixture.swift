import Config
import Directory
import Foundation
import OffsetStore
import SCIM
import SQLClients
import TestSupport
import scimsync

/// A corp for the WeCom tests, in the simulators' neutral shape: five levels of departments
/// under the root (WeCom's numeric ids, kept by the simulator), two other branches, and members
/// in one or several departments, one directly under the root, one disabled; then
/// config/wecom-to-sqlite.yaml against a simulator, into a SQLite file with the portal tables
/// of config/sql/sqlite-target.sql.
struct WeComDirectoryFixture {
    static let departments: [(id: String, name: String, parent: String)] = [
        ("2", "Engineering", "1"),
        ("3", "Platform", "2"),
        ("4", "Databases", "3"),
        ("5", "Operations", "4"),
        ("6", "On call", "5"),
        ("7", "销售部", "1"),
        ("8", "East 'Region'", "7"),
        ("9", "People", "1"),
    ]

    /// `u01` ... `u23`: u01 under the root only, u02 in two branches, u05 disabled.
    static let users: [(id: String, name: String, departments: [String], active: Bool)] = (1...23).map { number in
        let id = String(format: "u%02d", number)
        let departments: [String]
        switch number {
        case 1: departments = ["1"]
        case 2: departments = ["6", "8"]
        default: departments = [Self.departments[number % Self.departments.count].id]
        }
        return (id, number == 3 ? "李雷 \"Lei\" O'Brien" : "User \(number)", departments, number != 5)
    }

    static var neutral: SCIMValue {
        .object(SCIMObject([
            ("departments", .array(departments.enumerated().map { index, department in
                ["id": .string(department.id), "name": .string(department.name), "parent": .string(department.parent),
                 "order": .integer(Int64(index + 1))]
            })),
            ("users", .array(users.map { user in
                let number = Int(user.id.dropFirst()) ?? 0
                return [
                    "id": .string(user.id), "name": .string(user.name), "email": .string("\(user.id)@example.com"),
                    "mobile": .string("+86 1380000\(String(format: "%04d", number))"), "title": "Engineer",
                    "departments": .array(user.departments.map { .string($0) }), "active": .bool(user.active),
                ]
            })),
        ]))
    }

    /// The groups as the target holds them: id, title, parent (`∅`: none).
    static let expectedGroups = [
        "2|Engineering|∅", "3|Platform|2", "4|Databases|3", "5|Operations|4", "6|On call|5", "7|销售部|∅",
        "8|East 'Region'|7", "9|People|∅",
    ]

    let sqlitePath: String
    let stateDirectory: String
    let database: SQLiteDatabase

    init() throws {
        stateDirectory = NSTemporaryDirectory() + "scimsync-wecom-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        sqlitePath = stateDirectory + "/portal.db"
        database = try SQLiteDatabase(path: sqlitePath)
        let text = try String(contentsOfFile: WeComSim.repositoryRoot + "/config/sql/sqlite-target.sql", encoding: .utf8)
        let statements = text.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
            .components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
        for statement in statements { try database.execute(statement) }
    }

    /// The example configuration against `sim`: a read every `interval`, the event callbacks
    /// when `callback` gives their block and secrets, removals up to half the directory.
    func pipeline(
        _ sim: WeComSim, interval: String = "1h",
        callback: (block: String, environment: [String: String])? = nil
    ) throws -> (PipelineConfig, OffsetStore) {
        let text = try String(contentsOfFile: WeComSim.repositoryRoot + "/config/wecom-to-sqlite.yaml", encoding: .utf8)
            .replacingOccurrences(
                of: "interval: 1h",
                with: "interval: \(interval)" + (callback.map { "\n        callback: \($0.block)" } ?? ""))
            .replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 50%")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
        let config = try ConfigLoader.parse(
            text, file: "wecom-to-sqlite.yaml", baseDirectory: stateDirectory, kinds: configKinds,
            environment: [
                "WECOM_CORP_ID": sim.corpID, "WECOM_APP_SECRET": sim.appSecret, "WECOM_BASE_URL": sim.baseURL,
                "PORTAL_DB": sqlitePath, "SCIMSYNC_STATE_DIR": stateDirectory,
            ].merging(callback?.environment ?? [:]) { $1 })
        guard let pipeline = config.pipelines.first else {
            throw WeComSimFailed(reason: "the example configuration has no pipeline")
        }
        return (pipeline, try OffsetStore(path: config.offsets.path))
    }

    /// Rows of a query as text, each row's values joined by `|` (NULL as `∅`).
    func rows(_ sql: String) throws -> [String] {
        try database.query(sql).map { row in
            row.values.map { value in
                switch value {
                case .null: "∅"
                case .text(let text): text
                case .int(let number): String(number)
                default: "\(value)"
                }
            }.joined(separator: "|")
        }
    }

    func count(_ table: String) -> Int {
        (try? rows("SELECT COUNT(*) FROM \(table)").first).flatMap { Int($0) } ?? -1
    }

    /// What the target should hold for `users` as given (the root is no group).
    static func expectedMemberships(_ users: [(id: String, name: String, departments: [String], active: Bool)]) -> [String] {
        users.flatMap { user in user.departments.filter { $0 != "1" }.map { "\(user.id)|\($0)" } }.sorted()
    }
}
