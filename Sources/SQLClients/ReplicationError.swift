/// An error opening or reading a binlog stream, classified for the one decision a replica has
/// to make: retry later, or stop and tell someone.
///
/// Like `MariaDBError`, `description` never includes the server's message text (it can name
/// files and positions, which is harmless, but keeping one rule is simpler); `message` and
/// `debugDescription` carry it.
public struct ReplicationError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// ER_MASTER_FATAL_ERROR_READING_BINLOG (1236): the server cannot send from the requested
        /// start — the binlog file was purged or never existed, the offset is not an event
        /// boundary, or (GTID start) the GTID is not in its binlogs. Retrying cannot help:
        /// the pipeline must take a new snapshot (reconcile) and start from its position.
        case positionUnavailable
        /// The login was refused (1045), or the user lacks REPLICATION SLAVE (1227, 1044):
        /// retrying cannot help until an operator changes the account.
        case accessDenied
        /// The connection could not be made (2002, 2003, 2005): the server is down or
        /// unreachable; or no socket could be made for it (2001, 2004), as when the process has
        /// every file descriptor it may open in use. Worth retrying.
        case cannotConnect
        /// The connection dropped while streaming (2006, 2013, 2026), the read timed out (no
        /// event or heartbeat for too long), or the server is shutting down (1053, 1927).
        /// Worth retrying from the last acknowledged position.
        case lostConnection
        /// An event that cannot be a binlog event (shorter than its header, or its length
        /// field disagrees with the bytes received), or that Connector/C, which frames every
        /// event while fetching it, found corrupt (CR_BINLOG_ERROR 5021,
        /// CR_ERR_UNSUPPORTED_BINLOG_FORMAT 5019).
        case malformedEvent
        /// CR_UNKNOWN_BINLOG_EVENT (5020): an event type Connector/C does not know and the
        /// server did not mark ignorable — MySQL 8's TRANSACTION_PAYLOAD (type 40), written when
        /// `binlog_transaction_compression=ON`, is the one to expect.
        case unsupportedEvent
        /// Another replica connected with this stream's server id, and the server dropped this
        /// stream for it. "When a slave reconnects and sends COM_BINLOG_DUMP, the master kills any
        /// existing thread with the slave's server id" (MariaDB sql/sql_repl.cc,
        /// kill_zombie_dump_threads): the older connection gets ER_SLAVE_SAME_ID (4052) on
        /// MariaDB, and ER_MASTER_FATAL_ERROR_READING_BINLOG (1236) with the text "A slave (or
        /// replica) with the same server_uuid/server_id ..." on MySQL. Two scimsync processes with
        /// one `serverId` push each other off in turn; so does a real replica with that id. Worth
        /// retrying (the other one may be gone), with a backoff that grows from clash to clash.
        case serverIDInUse
        /// Anything else the server or Connector/C reported.
        case other
    }

    public var kind: Kind
    /// The server or Connector/C error number; 0 for errors raised by scimsync itself.
    public var code: UInt32
    /// The server's or client's message text: not for logs.
    public var message: String
    /// The replica id the stream announced, when the stream knows it: `.serverIDInUse` names it.
    public var serverID: UInt32?

    public init(kind: Kind, code: UInt32, message: String, serverID: UInt32? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.serverID = serverID
    }

    /// Classifies a server or client error number (and, for 1236, its text).
    public init(code: UInt32, message: String, serverID: UInt32? = nil) {
        self.init(kind: Self.classify(code, message: message), code: code, message: message, serverID: serverID)
    }

    static func classify(_ code: UInt32, message: String = "") -> Kind {
        switch code {
        // MySQL reports a server id clash as 1236 too (sql/rpl_binlog_sender.cc: "A slave with
        // the same server_uuid/server_id as this slave has connected to the master", "replica"
        // and "source" in 8.0.26 and later); only the text tells it from a purged position.
        case 1236 where message.contains("same server_uuid/server_id"): .serverIDInUse
        case 4052: .serverIDInUse
        case 1236: .positionUnavailable
        // 1227 ER_SPECIFIC_ACCESS_DENIED_ERROR is what COM_BINLOG_DUMP answers without
        // REPLICATION SLAVE; 1044/1045 come from the login.
        case 1044, 1045, 1227: .accessDenied
        case 2001, 2002, 2003, 2004, 2005: .cannotConnect
        // 1053 ER_SERVER_SHUTDOWN, 1927 ER_CONNECTION_KILLED, 2026 CR_SSL_CONNECTION_ERROR.
        case 1053, 1927, 2006, 2013, 2026: .lostConnection
        case 5019, 5021: .malformedEvent
        case 5020: .unsupportedEvent
        default: .other
        }
    }

    /// Whether reconnecting later may succeed. Position and access problems need a person or a
    /// new snapshot, so they are never retried.
    public var isRetryable: Bool {
        switch kind {
        case .cannotConnect, .lostConnection, .serverIDInUse: true
        case .positionUnavailable, .accessDenied, .malformedEvent, .unsupportedEvent, .other: false
        }
    }

    public var description: String {
        let reference = code == 0 ? "" : " (error \(code))"
        switch kind {
        case .positionUnavailable:
            return "the server does not have the requested binlog start position\(reference): the file was "
                + "purged or never existed, the position is not where an event starts, or the GTID is not "
                + "in its binlogs (purged, or from another server's history); take a new snapshot (reconcile) and stream from its position"
        case .accessDenied:
            return "the server refused the binlog stream\(reference): the user needs REPLICATION SLAVE "
                + "(GRANT REPLICATION SLAVE ON *.* TO the user) and a valid password"
        case .cannotConnect where MariaDBError.noSocket.contains(code):
            return "cannot make a socket to read the binlog\(reference): the process may have reached its "
                + "limit of open files (ulimit -n, systemd's LimitNOFILE); scimsync retries"
        case .cannotConnect:
            return "cannot connect to the server to read its binlog\(reference): check that it runs and "
                + "is reachable; scimsync retries"
        case .lostConnection:
            return "the binlog connection was lost\(reference): the server went away, restarted or sent "
                + "nothing (not even a heartbeat) for too long; scimsync reconnects from the last "
                + "acknowledged position"
        case .malformedEvent:
            return "the server sent a binlog event that cannot be read\(reference): its length does not match "
                + "its header or its framing is corrupt; this is a bug or a damaged connection"
        case .unsupportedEvent:
            return "the server sent a binlog event of a type the client library cannot read\(reference): "
                + "on MySQL 8 this is a compressed transaction; set binlog_transaction_compression=OFF"
        case .serverIDInUse:
            let id = serverID.map { "server id \($0)" } ?? "the same server id"
            return "another replica connected to the server with \(id)\(reference), and the server dropped this "
                + "binlog stream for it: a server keeps one stream per replica id, so another scimsync (or a "
                + "replica) uses this one; give each pipeline's mysql source its own serverId: (unique among the "
                + "server's replicas and the servers of its topology); scimsync reconnects meanwhile, waiting "
                + "longer after each clash"
        case .other:
            return "reading the binlog failed\(reference)"
        }
    }

    public var debugDescription: String {
        "\(description). Message: \(message)"
    }
}
