import CMariaDB
import Directory
import Foundation

/// The checksum algorithm of the events a stream receives.
public enum BinlogChecksum: Sendable, Hashable {
    /// No footer.
    case none
    /// A 4-byte little-endian CRC32 (ISO-HDLC, as zlib's `crc32`) over header and body ends
    /// every event.
    case crc32
}

/// A binlog stream read as a replica over Connector/C's replication API (`mariadb_rpl_*`):
/// it owns its own connection (which can do nothing else once the dump has started) and the
/// MARIADB_RPL handle, and hands out each event's raw bytes.
///
/// libmariadb's own event parsing still runs inside `mariadb_rpl_fetch` (it needs the
/// FORMAT_DESCRIPTION to find packet boundaries), but only the raw packet is used here; row
/// images are never extracted with `mariadb_rpl_extract_rows`, which mis-decodes TIMESTAMP2 and
/// has no binary JSON.
///
/// Every method blocks its thread on the network: run a stream on a dedicated thread (see
/// `BinlogEventPump` in MySQLSource), never on Swift's cooperative pool. Not thread-safe; the
/// only thing another thread may do is `interrupter.interrupt()`.
public final class MariaDBReplicationStream {
    private let connection: MariaDBConnection
    private let rpl: UnsafeMutablePointer<MARIADB_RPL>
    private var ended = false

    /// The checksum footer the server puts on every event of this stream.
    public let checksum: BinlogChecksum
    /// Unblocks a `fetch` waiting on the network, from any thread.
    public let interrupter: ReplicationInterrupter
    /// The server's id for this connection (`CONNECTION_ID()`), as `SHOW PROCESSLIST` lists
    /// it with the command `Binlog Dump`.
    public let connectionID: UInt64
    /// The replica id this stream announced (`serverId` of the source's configuration).
    public let serverID: UInt32

    /// MARIADB_RPL_BINLOG_DUMP_NON_BLOCK: the server ends the stream with an EOF packet at the
    /// end of the binlog instead of waiting for new events (MariaDB docs, "COM_BINLOG_DUMP").
    private static let nonBlockingFlag: UInt32 = 1
    /// MARIA_SLAVE_CAPABILITY_GTID (MariaDB sql/log_event.h): the replica understands GTID
    /// events and GTID registration. Without it MariaDB rewrites GTID events into dummy events.
    private static let gtidCapability = 4

    /// Connects, announces itself as replica `serverID` and asks the server to send its binlog
    /// from `start`.
    ///
    /// Before the dump it sets, as a MariaDB replica does (MariaDB docs, "5-Replica
    /// Registration"): `@master_binlog_checksum = @@global.binlog_checksum`, so the server keeps
    /// the CRC32 footers for the decoder to verify; `@master_heartbeat_period` (nanoseconds),
    /// so an idle server still sends a HEARTBEAT event every `heartbeat`; and
    /// `@mariadb_slave_capability = 4`. A GTID start also sets `@slave_connect_state`, and the
    /// dump then ignores file and offset.
    ///
    /// - Parameters:
    ///   - serverID: the replica id to announce; must differ from every server id in the
    ///     topology (the server drops an older replica connection with the same id).
    ///   - heartbeat: how often an idle server sends a heartbeat, in whole seconds (at least
    ///     one). The connection counts as lost when nothing arrives for three of these.
    ///   - nonBlocking: end the stream (`fetch` returns nil) at the end of the binlog instead of
    ///     waiting for new events.
    /// - Throws: `ReplicationError`: `.accessDenied` or `.cannotConnect` when the login fails,
    ///   other kinds when the dump cannot be requested. A start the server does not have
    ///   is reported by the first `fetch` (the server answers the dump request with error 1236).
    public init(
        host: String, port: Int = 3306, user: String, password: String, serverID: UInt32,
        start: BinlogStart, heartbeat: Duration = .seconds(10), nonBlocking: Bool = false,
        connectTimeout: Int = 10
    ) throws {
        let heartbeatSeconds = max(Int(heartbeat.components.seconds), 1)
        do {
            connection = try MariaDBConnection(
                host: host, port: port, user: user, password: password, connectTimeout: connectTimeout,
                readTimeout: heartbeatSeconds * 3
            )
            let heartbeatNanoseconds = UInt64(heartbeatSeconds) * 1_000_000_000
            try connection.execute("SET @master_binlog_checksum = @@global.binlog_checksum")
            try connection.execute("SET @master_heartbeat_period = \(heartbeatNanoseconds)")
            try connection.execute("SET @mariadb_slave_capability = \(Self.gtidCapability)")
            let announced = try connection.textRows("SELECT @master_binlog_checksum").first?.first ?? nil
            checksum = announced?.uppercased() == "CRC32" ? .crc32 : .none
            if case .gtid(let gtid) = start {
                guard connection.isMariaDB else {
                    throw ReplicationError(
                        kind: .other, code: 0,
                        message: "a GTID start is only supported on MariaDB; start MySQL from a file and position"
                    )
                }
                try connection.query("SET @slave_connect_state = ?", [.text(gtid)])
                try connection.execute("SET @slave_gtid_strict_mode = 0")
                try connection.execute("SET @slave_gtid_ignore_duplicates = 0")
            }
        } catch let error as MariaDBError {
            // One error type for the whole stream: the reconnect logic decides on its kind.
            throw ReplicationError(code: error.code, message: error.message, serverID: serverID)
        }
        self.serverID = serverID

        guard let rpl = scimsync_rpl_init(connection.handle) else {
            throw Self.error(on: connection.handle, serverID: serverID)
        }
        self.rpl = rpl
        interrupter = ReplicationInterrupter(handle: connection.handle)
        connectionID = UInt64(mysql_thread_id(connection.handle))

        var failed = false
        switch start {
        case .filePosition(let file, let position):
            failed = file.withCString { scimsync_rpl_set_filename(rpl, $0, file.utf8.count) } != 0
            failed = failed || scimsync_rpl_set_start(rpl, UInt(position)) != 0
        case .gtid:
            // MariaDB ignores file and offset when @slave_connect_state is set; 4 is the first
            // event offset of any binlog file.
            failed = scimsync_rpl_set_start(rpl, 4) != 0
        }
        failed = failed || scimsync_rpl_set_server_id(rpl, serverID) != 0
        failed = failed || scimsync_rpl_set_flags(rpl, nonBlocking ? Self.nonBlockingFlag : 0) != 0
        if failed || mariadb_rpl_open(rpl) != 0 {
            throw Self.error(on: connection.handle, serverID: serverID)
        }
    }

    deinit {
        interrupter.detach()
        mariadb_rpl_close(rpl)
        // `connection` closes the MYSQL handle after this, in its own deinit.
    }

    /// The next event, blocking until the server sends one (heartbeats included: they arrive
    /// every `heartbeat` while the binlog is idle).
    ///
    /// A dump begins with a fake ROTATE (artificial flag, timestamp 0, next position 0) naming
    /// the file and offset, then the file's FORMAT_DESCRIPTION (next position 0 when starting
    /// mid-file); a ROTATE announces each next file. ANNOTATE_ROWS events (the statement text)
    /// are not requested, so the next-position fields skip over them.
    ///
    /// - Returns: the event's bytes (header, body, checksum), or nil when a non-blocking stream
    ///   reached the end of the binlog. After nil or an error the stream is finished.
    /// - Throws: `ReplicationError`: `.positionUnavailable` (1236) when the start is gone,
    ///   `.accessDenied` without REPLICATION SLAVE, `.lostConnection` when the connection
    ///   dropped, timed out or was interrupted.
    public func fetch() throws -> RawBinlogEvent? {
        guard !ended else { return nil }
        // A NULL event asks Connector/C for a fresh MARIADB_RPL_EVENT each time: on failure it
        // frees the event it was given, so reusing one would need care for little gain.
        guard let event = mariadb_rpl_fetch(rpl, nil) else {
            ended = true
            if mysql_errno(connection.handle) == 0 {
                return nil
            }
            throw Self.error(on: connection.handle, serverID: serverID)
        }
        defer { mariadb_free_rpl_event(event) }
        // raw_data is the whole network packet: the OK byte (and the two semi-sync bytes when
        // semi-sync is on), then the event; raw_data_ofs is where the event header starts
        // (Connector/C 3.3, libmariadb/mariadb_rpl.c).
        let packet = event.pointee
        let offset = Int(packet.raw_data_ofs)
        let size = Int(packet.raw_data_size)
        guard let base = packet.raw_data, size >= offset else {
            ended = true
            throw ReplicationError(kind: .malformedEvent, code: 0, message: "empty replication packet")
        }
        let bytes = [UInt8](UnsafeBufferPointer(start: base + offset, count: size - offset))
        guard let raw = RawBinlogEvent(bytes: bytes) else {
            ended = true
            throw ReplicationError(
                kind: .malformedEvent, code: 0,
                message: "event of \(bytes.count) bytes does not match its header's length"
            )
        }
        return raw
    }

    private static func error(on handle: UnsafeMutablePointer<MYSQL>, serverID: UInt32) -> ReplicationError {
        ReplicationError(code: mysql_errno(handle), message: String(cString: mysql_error(handle)), serverID: serverID)
    }
}

@available(*, unavailable) extension MariaDBReplicationStream: Sendable {}

/// Unblocks a replication stream's `fetch` from another thread by shutting its socket down
/// (Connector/C `mariadb_cancel`: "all subsequent read/write operations fail"); the fetch then
/// throws `.lostConnection`. Safe to call at any time, also after the stream is gone.
public final class ReplicationInterrupter: @unchecked Sendable {
    // Guards `handle`: it is only dereferenced under the lock, and the stream clears it
    // under the lock before closing the connection, so `interrupt` never touches a freed MYSQL.
    private let lock = NSLock()
    private var handle: UnsafeMutablePointer<MYSQL>?

    init(handle: UnsafeMutablePointer<MYSQL>) {
        self.handle = handle
    }

    /// Makes the stream's pending and future reads fail.
    public func interrupt() {
        lock.lock()
        defer { lock.unlock() }
        if let handle {
            _ = mariadb_cancel(handle)
        }
    }

    func detach() {
        lock.lock()
        handle = nil
        lock.unlock()
    }
}
