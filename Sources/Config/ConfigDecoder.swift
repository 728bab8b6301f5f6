import Directory
import SCIM

/// Turns the YAML tree into `ScimsyncConfig`, reporting every problem with its key path.
/// The key names here are the public contract (DESIGN.md): extend them, never rename them.
struct ConfigDecoder {
    let collector: IssueCollector
    let baseDirectory: String
    /// The kinds that decode their own blocks, as the registries of this build list them.
    let kinds: [ConfigKind]

    func decode(_ root: ConfigNode) -> ScimsyncConfig? {
        guard let top = root.mapping(allowed: ["offsets", "http", "pipelines", "scim", "journal"]) else { return nil }

        var offsets = OffsetsConfig(path: resolve("offsets.db"))
        if let node = top["offsets"], let map = node.mapping(allowed: ["path"]) {
            if let path = map.required("path", "the SQLite file holding positions")?.nonEmptyString() {
                offsets.path = resolve(path)
            }
        }

        var http = HTTPConfig(host: "127.0.0.1", port: 9100)
        var tokenGiven = false
        if let node = top["http"],
            let map = node.mapping(allowed: ["host", "port", "token", "maxUploadSize"] + ServerLimits.keys)
        {
            if let host = map["host"]?.nonEmptyString() { http.host = host }
            if let port = map["port"]?.integer(in: 1...65535) { http.port = port }
            if let limits = serverLimits(map) { http.limits = limits }
            tokenGiven = map.has("token")
            if let tokenNode = map["token"], let text = tokenNode.nonEmptyString() {
                if text.count < 16 {
                    tokenNode.report("is too short to be a secret; use at least 16 characters")
                } else {
                    http.token = text
                }
            }
            if let sizeNode = map["maxUploadSize"] {
                if let text = sizeNode.string(), let bytes = Self.byteSize(text) {
                    http.maxUploadBytes = bytes
                } else {
                    sizeNode.report("expected a size such as 512MiB or 1GiB, from 1KiB to 1GiB")
                }
            }
        }

        var pipelines: [PipelineConfig] = []
        if let node = top["pipelines"], let list = node.sequence() {
            if list.isEmpty { collector.report(node.path, "needs at least one pipeline") }
            for item in list {
                if let pipeline = pipeline(item) { pipelines.append(pipeline) }
            }
            var seen: Set<String> = []
            for (index, pipeline) in pipelines.enumerated() where !seen.insert(pipeline.name).inserted {
                collector.report(node.path.appending(index: index).appending("name"), "\"\(pipeline.name)\" names two pipelines; names must be unique")
            }
        }

        // The admin server answers health and metrics to anyone (probes and scrapers carry no
        // secret); what it serves beyond them reads or changes a directory, so it needs a token.
        if !tokenGiven {
            let served = pipelines.filter { Self.kindsServedOverHTTP.contains($0.source.kind) }.map(\.name)
            if let first = served.first {
                let what = served.count == 1 ? "pipeline \"\(first)\" takes" : "pipelines \(served.map { "\"\($0)\"" }.joined(separator: ", ")) take"
                collector.report(
                    KeyPath.root.appending("http").appending("token"),
                    "is required: \(what) uploads through the admin server; set http.token to \"${SCIMSYNC_HTTP_TOKEN}\" "
                        + "and that variable to a secret of at least 16 characters, which clients send as "
                        + "\"Authorization: Bearer <token>\"")
            }
        }

        let scim = top["scim"].flatMap(scimServer)
        if !top.has("pipelines") && !top.has("scim") {
            collector.report(.root, "nothing to do: give \"pipelines\" (replication) or \"scim\" (scimsync serve)")
        }
        let journal = top["journal"].flatMap(journal) ?? JournalConfig()
        return ScimsyncConfig(offsets: offsets, http: http, pipelines: pipelines, scim: scim, journal: journal)
    }

    private func journal(_ node: ConfigNode) -> JournalConfig? {
        guard let map = node.mapping(allowed: ["keep", "maxEntries", "values"]) else { return nil }
        var journal = JournalConfig()
        if let keep = map["keep"]?.seconds(allowOff: true) { journal.keepSeconds = keep }
        if let entries = map["maxEntries"]?.integer(in: 1000...1_000_000_000) { journal.maxEntries = entries }
        if let values = map["values"]?.bool() { journal.values = values }
        return journal
    }

    private func pipeline(_ node: ConfigNode) -> PipelineConfig? {
        guard let map = node.mapping(allowed: ["name", "source", "target", "onDelete", "adopt", "reconcile"]) else { return nil }
        let name = map.required("name", "a unique name used in logs, metrics and the offset store")?.nonEmptyString()
        if let name, !name.unicodeScalars.allSatisfy(Self.isNameCharacter) {
            collector.report(node.path.appending("name"), "use letters, digits, \".\", \"_\" and \"-\" only")
        }
        let source = map.required("source", "where changes come from").flatMap(pipelineSource)
        let target = map.required("target", "where changes go").flatMap(pipelineTarget)
        let onDelete = map["onDelete"].map { $0.choice(DeletePolicy.self) } ?? .deactivate
        let adopt = map["adopt"].map { $0.bool() } ?? false
        let reconcile = map["reconcile"].map(reconcileConfig) ?? .default
        // A source without a layout (a SCIM provider) is read through the target's: a SQL
        // target's tables or the fields a chat platform's block maps. A target keeping the
        // resources as they come (a SCIM provider) gives none.
        if case .block(let kind, let settings)? = source, settings.base.sourceLayout == nil,
            case .block(let targetKind, let targetSettings)? = target, targetSettings.base.targetLayout == nil
        {
            collector.report(
                node.path.appending("target").appending(targetKind),
                "a \(kind) source cannot write to a \(targetKind) target: neither maps the directory; use a SQL target "
                    + "(mysql, postgres, sqlite or sqlserver) with a layout, or a chat platform (dingtalk, wecom or feishu)")
            return nil
        }
        guard let name, let source, let target, let onDelete, let adopt, let reconcile else { return nil }
        return PipelineConfig(name: name, source: source, target: target, onDelete: onDelete, adopt: adopt, reconcile: reconcile)
    }

    private enum Role {
        case source, target, scim

        /// The SQL connection keys this role accepts (decoded here, with a `layout`).
        var sqlKinds: [String] {
            switch self {
            case .source: ["mysql", "sqlserver"]
            case .target, .scim: ["mysql", "postgres", "sqlite", "sqlserver"]
            }
        }

        /// Kinds a later version will accept, so the message can say "not yet" rather than
        /// "unknown".
        var planned: [String] {
            switch self {
            case .source: ["feed"]
            case .target: []
            case .scim: []
            }
        }

        var configRole: ConfigKind.Role? {
            switch self {
            case .source: .source
            case .target: .target
            case .scim: nil
            }
        }

        var noun: String {
            switch self {
            case .source: "sources"
            case .target: "targets"
            case .scim: "directories"
            }
        }
    }

    /// The kinds that decode their own blocks in `role`.
    private func blockKinds(_ role: Role) -> [ConfigKind] {
        kinds.filter { $0.role == role.configRole }
    }

    /// Every kind key `role` accepts now.
    private func kindKeys(_ role: Role) -> [String] {
        role.sqlKinds + blockKinds(role).map(\.key)
    }

    /// Every key allowed in `role`'s mapping: its kinds, the planned ones and `layout`.
    private func allowedKeys(_ role: Role) -> [String] {
        let known = kindKeys(role)
        return known + role.planned.filter { !known.contains($0) } + ["layout"]
    }

    private func pipelineTarget(_ node: ConfigNode) -> PipelineTarget? {
        switch connection(node, role: .target) {
        case .sql(let endpoint)?: .sql(endpoint)
        case .block(let kind, let settings)?: .block(kind: kind, settings: settings)
        case nil: nil
        }
    }

    private func pipelineSource(_ node: ConfigNode) -> PipelineSource? {
        switch connection(node, role: .source) {
        case .sql(let endpoint)?: .sql(endpoint)
        case .block(let kind, let settings)?: .block(kind: kind, settings: settings)
        case nil: nil
        }
    }

    private enum Connection {
        case sql(Endpoint)
        case block(String, AnyKindSettings)
    }

    /// A SQL connection block and its `layout`, or the block of a kind that decodes its own
    /// (alone: such a kind has no tables to map).
    private func connection(_ node: ConfigNode, role: Role) -> Connection? {
        guard let map = node.mapping(allowed: allowedKeys(role)) else { return nil }
        guard let (kind, blockNode) = blockKinds(role).lazy.compactMap({ kind in map[kind.key].map { (kind, $0) } }).first
        else { return endpoint(map, role: role).map(Connection.sql) }
        let others = map.keys.filter { $0 != kind.key }
        if others.contains("layout") {
            collector.report(
                node.path.appending("layout"),
                "a \(kind.key) \(role == .source ? "source" : "target") has no layout (\(kind.whyNoLayout)); remove it")
        }
        if let other = others.first(where: { $0 != "layout" }) {
            collector.report(map.path, "has 2 connections (\(kind.key), \(other)); give exactly one of \(kindKeys(role).joined(separator: ", "))")
        }
        guard let settings = kind.decode(blockNode), others.isEmpty else { return nil }
        return .block(kind.key, AnyKindSettings(settings))
    }

    /// `http://host...` or `https://host...`.
    static func isHTTPURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        for scheme in ["http://", "https://"] where lowered.hasPrefix(scheme) {
            let rest = lowered.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" }
            return !host.isEmpty && !text.contains(" ")
        }
        return false
    }


    /// A connection block (exactly one of the role's kinds) and its `layout`.
    private func endpoint(_ map: ConfigMapping, role: Role) -> Endpoint? {
        let known = kindKeys(role)
        let given = map.keys.filter { known.contains($0) || role.planned.contains($0) }
        guard given.count == 1, let kind = given.first, let kindNode = map[kind] else {
            let what = given.isEmpty ? "no connection" : "\(given.count) connections (\(given.joined(separator: ", ")))"
            collector.report(map.path, "has \(what); give exactly one of \(known.joined(separator: ", "))")
            return nil
        }
        if !role.sqlKinds.contains(kind) {
            collector.report(kindNode.path, "\(kind) \(role.noun) are not supported by this version; use \(known.joined(separator: ", "))")
            return nil
        }
        let connection: ConnectionConfig?
        switch kind {
        case "mysql": connection = mysql(kindNode, replica: role == .source).map(ConnectionConfig.mysql)
        case "postgres": connection = postgres(kindNode).map(ConnectionConfig.postgres)
        case "sqlserver": connection = sqlserver(kindNode, role: role).map(ConnectionConfig.sqlserver)
        default: connection = sqlite(kindNode).map(ConnectionConfig.sqlite)
        }
        let layout = map.required("layout", "the tables and columns of the directory")
            .flatMap { LayoutDecoder(collector: collector).decode($0) }
        guard let connection, let layout else { return nil }
        return Endpoint(connection: connection, layout: layout)
    }

    private func mysql(_ node: ConfigNode, replica: Bool) -> MySQLConnectionConfig? {
        let keys = ["host", "port", "user", "password", "database"] + (replica ? ["serverId"] : [])
        guard let map = node.mapping(allowed: keys) else { return nil }
        let host = map.required("host", "the server's address")?.nonEmptyString()
        let port = map["port"].map { $0.integer(in: 1...65535) } ?? 3306
        let user = map.required("user", "the account to connect as")?.nonEmptyString()
        let password = map["password"].map { $0.string() } ?? ""
        let database = map.required("database", "the schema holding the tables")?.identifier()
        let serverId = map["serverId"].map { $0.integer(in: 1...Int(UInt32.max)).map(UInt32.init) }
        guard let host, let port, let user, let password, let database else { return nil }
        if let serverId, serverId == nil { return nil }
        return MySQLConnectionConfig(host: host, port: port, user: user, password: password, database: database, serverId: serverId ?? nil)
    }

    private func postgres(_ node: ConfigNode) -> PostgresConnectionConfig? {
        guard let map = node.mapping(allowed: ["host", "port", "user", "password", "database", "schema"]) else { return nil }
        let host = map.required("host", "the server's address")?.nonEmptyString()
        let port = map["port"].map { $0.integer(in: 1...65535) } ?? 5432
        let user = map.required("user", "the role to connect as")?.nonEmptyString()
        let password = map["password"].map { $0.string() } ?? ""
        let database = map.required("database", "the database holding the tables")?.nonEmptyString()
        let schema = map["schema"].map { $0.identifier() } ?? "public"
        guard let host, let port, let user, let password, let database, let schema else { return nil }
        return PostgresConnectionConfig(host: host, port: port, user: user, password: password, database: database, schema: schema)
    }

    private func sqlserver(_ node: ConfigNode, role: Role) -> SQLServerConnectionConfig? {
        let keys = ["host", "port", "user", "password", "database", "schema", "encrypt"] + (role == .source ? ["poll"] : [])
        guard let map = node.mapping(allowed: keys) else { return nil }
        let host = map.required("host", "the server's address")?.nonEmptyString()
        let port = map["port"].map { $0.integer(in: 1...65535) } ?? 1433
        let user = map.required("user", "the login to connect as")?.nonEmptyString()
        let password = map["password"].map { $0.string() } ?? ""
        let database = map.required("database", "the database holding the tables")?.identifier()
        let schema = map["schema"].map { $0.identifier() } ?? "dbo"
        let encryption = map["encrypt"].map { $0.choice(SQLServerConnectionConfig.Encryption.self) } ?? .require
        var poll: Int? = 1000
        if let node = map["poll"], let text = node.string() {
            poll = Self.milliseconds(text)
            if poll == nil || poll! < 10 || poll! > 3_600_000 {
                collector.report(node.path, "expected a duration between 10ms and 1h such as 1s or 250ms; found \"\(text)\"")
                poll = nil
            }
        } else if map["poll"] != nil {
            poll = nil
        }
        guard let host, let port, let user, let password, let database, let schema, let encryption, let poll else { return nil }
        return SQLServerConnectionConfig(
            host: host, port: port, user: user, password: password, database: database, schema: schema,
            encryption: encryption, pollMilliseconds: poll)
    }

    /// `250ms`, or a duration in seconds and larger units (`1s`, `1m30s`), in milliseconds.
    static func milliseconds(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces
        if trimmed.hasSuffix("ms") {
            let digits = trimmed.dropLast(2)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(digits)
        }
        return DurationText.seconds(String(trimmed)).map { $0 * 1000 }
    }

    private func sqlite(_ node: ConfigNode) -> SQLiteConnectionConfig? {
        guard let map = node.mapping(allowed: ["path"]) else { return nil }
        guard let path = map.required("path", "the database file")?.nonEmptyString() else { return nil }
        return SQLiteConnectionConfig(path: resolve(path))
    }

    private func reconcileConfig(_ node: ConfigNode) -> ReconcileConfig? {
        guard let map = node.mapping(allowed: ["every", "maxRemovals"]) else { return nil }
        var config = ReconcileConfig.default
        var ok = true
        if let every = map["every"], let text = every.string() {
            if ["off", "never", "false"].contains(text.lowercased()) {
                config.everySeconds = nil
            } else if let seconds = DurationText.seconds(text), seconds > 0 {
                config.everySeconds = seconds
            } else {
                collector.report(every.path, "expected a duration such as 30m, 6h, 1d or 1h30m, or off; found \"\(text)\"")
                ok = false
            }
        }
        if let limit = map["maxRemovals"], let text = limit.string() {
            if let value = RemovalLimit(text: text) {
                config.maxRemovals = value
            } else {
                collector.report(limit.path, "expected a share such as 10% or a count such as 500; found \"\(text)\"")
                ok = false
            }
        }
        return ok ? config : nil
    }

    private func scimServer(_ node: ConfigNode) -> SCIMServerConfig? {
        let keys =
            [
                "host", "port", "token", "basePath", "maxPageSize", "maxBodySize", "connections", "publicURL",
                "trustForwardedHeaders", "maxOperations", "maxMembers",
            ]
            + ServerLimits.keys
            + allowedKeys(.scim)
        guard let map = node.mapping(allowed: keys) else { return nil }
        let host = map["host"].map { $0.nonEmptyString() } ?? "127.0.0.1"
        let port = map["port"].map { $0.integer(in: 1...65535) } ?? 8080
        var ok = true
        var token: String?
        let tokenNode = map.required("token", "the bearer token clients must send; e.g. \"${SCIM_TOKEN}\", or none")
        if tokenNode?.literal == "none" {
            // Only the file itself turns authentication off: an environment variable that
            // happens to hold "none" (a placeholder, a template default) must not.
            token = nil
        } else if let tokenNode, let text = tokenNode.nonEmptyString() {
            if text == "none" {
                collector.report(
                    tokenNode.path,
                    "the environment made the token \"none\": only `token: none` written in the file turns authentication off; set the variable to a secret of at least 16 characters")
                ok = false
            } else if text.count < 16 {
                collector.report(node.path.appending("token"), "is too short to be a secret; use at least 16 characters")
                ok = false
            } else {
                token = text
            }
        } else {
            ok = false
        }
        var basePath = "/scim/v2"
        if let pathNode = map["basePath"], let text = pathNode.string() {
            if let normalized = Self.basePath(text) {
                basePath = normalized
            } else {
                collector.report(pathNode.path, "expected a URL path such as /scim/v2 (letters, digits, \"/\", \"-\", \"_\", \".\"); found \"\(text)\"")
                ok = false
            }
        }
        let maxPageSize = map["maxPageSize"].map { $0.integer(in: 1...100_000) } ?? 1000
        let maxBodyBytes = map["maxBodySize"].map { node -> Int? in
            guard let text = node.string(), let value = Self.byteSize(text) else {
                collector.report(node.path, "expected a size such as 10MiB or 512KiB, from 1KiB to 1GiB")
                return nil
            }
            return value
        } ?? (10 << 20)
        let connections = map["connections"].map { $0.integer(in: 1...256) } ?? 8
        let directory = endpoint(map, role: .scim)
        let limits = serverLimits(map)
        var publicURL: String?
        if let node = map["publicURL"] {
            if let url = node.httpURL() { publicURL = url } else { ok = false }
        }
        var trustForwarded = false
        if let node = map["trustForwardedHeaders"] {
            if let value = node.bool() { trustForwarded = value } else { ok = false }
        }
        let maxOperations = map["maxOperations"].map { $0.integer(in: 1...100_000) } ?? 1_000
        let maxMembers = map["maxMembers"].map { $0.integer(in: 1...1_000_000) } ?? 50_000
        guard ok, let host, let port, let maxPageSize, let maxBodyBytes, let connections, let directory, let limits,
            let maxOperations, let maxMembers
        else {
            return nil
        }
        return SCIMServerConfig(
            host: host, port: port, token: token, basePath: basePath, maxPageSize: maxPageSize,
            maxBodyBytes: maxBodyBytes, connections: connections, directory: directory, limits: limits,
            publicURL: publicURL, trustForwardedHeaders: trustForwarded, maxOperations: maxOperations, maxMembers: maxMembers)
    }

    /// `headerTimeout`, `bodyTimeout`, `idleTimeout` and `maxConnections` of an HTTP server's
    /// block; nil (reported) when one is wrong.
    private func serverLimits(_ map: ConfigMapping) -> ServerLimits? {
        var limits = ServerLimits()
        var ok = true
        let timeouts: [(String, WritableKeyPath<ServerLimits, Int>)] = [
            ("headerTimeout", \.headerTimeoutSeconds), ("bodyTimeout", \.bodyTimeoutSeconds),
            ("idleTimeout", \.idleTimeoutSeconds),
        ]
        for (key, field) in timeouts {
            guard let node = map[key] else { continue }
            if case .some(.some(let seconds)) = node.seconds(allowOff: false) {
                limits[keyPath: field] = seconds
            } else {
                ok = false
            }
        }
        if let node = map["maxConnections"] {
            if let count = node.integer(in: 1...65_536) { limits.maxConnections = count } else { ok = false }
        }
        return ok ? limits : nil
    }

    /// `/scim/v2`, `scim/v2/` and `/` as `/scim/v2`, `/scim/v2` and `""`.
    static func basePath(_ text: String) -> String? {
        let segments = text.split(separator: "/", omittingEmptySubsequences: true)
        let allowed = segments.allSatisfy { segment in
            segment.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": true
                default: false
                }
            } && segment != "." && segment != ".."
        }
        guard allowed else { return nil }
        return segments.map { "/" + $0 }.joined()
    }

    /// `10MiB`, `512KiB`, `1GiB` or a byte count, as bytes.
    static func byteSize(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1), ("", 1)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Int(String(trimmed.dropLast(suffix.count)).trimmingSpaces) else { continue }
            let bytes = number * factor
            return (1 << 10)...(1 << 30) ~= bytes ? bytes : nil
        }
        return nil
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory == "." ? path : baseDirectory + "/" + path
    }

    /// Source kinds whose pipelines the admin server serves endpoints for (uploads, runs), so
    /// that a configuration with one of them must set `http.token`.
    static let kindsServedOverHTTP: Set<String> = ["feed"]

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }
}

extension RemovalLimit {
    /// `10%`, `2.5%` or `500`.
    init?(text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value >= 0, value <= 100 else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else { return nil }
            self = .count(value)
        }
    }
}

/// Durations as people write them in config: `90s`, `30m`, `6h`, `1d`, `1h30m`.
public enum DurationText {
    public static func seconds(_ text: String) -> Int? {
        var total = 0
        var number = ""
        var sawUnit = false
        for character in text.trimmingSpaces {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            guard let value = Int(number) else { return nil }
            total += value * unit
            number = ""
            sawUnit = true
        }
        return number.isEmpty && sawUnit ? total : nil
    }
}
