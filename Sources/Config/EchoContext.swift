/// The change-tracking context a pipeline writes into a SQL Server target, and the one a SQL
/// Server source skips, so that two pipelines replicating in opposite directions do not send
/// each other's writes back (`WITH CHANGE_TRACKING_CONTEXT`, SQL Server docs: "the context
/// can be used by applications to ... avoid processing changes that they made themselves").
///
/// A write is an echo for a reader when it came from where the reader writes: the context
/// names the writing pipeline's source database, and a reader skips exactly the contexts that
/// name its own target database. A third pipeline reading the same SQL Server into another
/// database still sees every write. Databases are named by kind, host, port and database as
/// the configuration spells them (so both configs must spell the shared database alike), never
/// by user or password; the context holds a hash of that, not the name itself.
public enum EchoContext {
    /// The context bytes for changes that came from `database` (at most 128: SQL Server's
    /// `varbinary(128)` limit).
    public static func context(from database: ConnectionConfig) -> [UInt8] {
        Array("scimsync:".utf8) + Array(hex(fnv1a64(identity(of: database))).utf8)
    }

    /// The context bytes of a pipeline's writes: from its SQL source, or from its source kind
    /// (a SCIM provider or a feed cannot be a target that receives echoes from SQL Server).
    public static func context(of pipeline: PipelineConfig) -> [UInt8] {
        if let endpoint = pipeline.source.sql { return context(from: endpoint.connection) }
        return Array("scimsync:\(pipeline.source.kind)".utf8)
    }

    /// The context a pipeline's SQL Server source skips: writes that came from its target
    /// database; nil when its target is no database (a SCIM provider).
    public static func echoes(of pipeline: PipelineConfig) -> [UInt8]? {
        pipeline.target.sql.map { context(from: $0.connection) }
    }

    /// `kind://host:port/database` (lowercased host), or `sqlite:path`.
    static func identity(of database: ConnectionConfig) -> String {
        switch database {
        case .mysql(let config): "mysql://\(config.host.lowercased()):\(config.port)/\(config.database)"
        case .postgres(let config): "postgres://\(config.host.lowercased()):\(config.port)/\(config.database)/\(config.schema)"
        case .sqlite(let config): "sqlite:\(config.path)"
        case .sqlserver(let config): "sqlserver://\(config.host.lowercased()):\(config.port)/\(config.database)/\(config.schema)"
        }
    }

    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
