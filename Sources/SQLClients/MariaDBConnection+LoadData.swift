import CMariaDB
import Directory

/// What one `LOAD DATA LOCAL INFILE` did.
public struct LoadDataResult: Sendable, Hashable {
    /// The rows it wrote.
    public var affectedRows: UInt64
    /// The warnings it raised: with LOCAL, a duplicate key, a refused foreign key or a value
    /// the column could not hold becomes a warning and the row is skipped or adjusted (MariaDB
    /// docs, "LOAD DATA INFILE": the server "cannot stop transmission of the file in the middle
    /// of the operation"), so a caller that must not lose a row checks this.
    public var warnings: UInt32
}

extension MariaDBConnection {
    /// Runs `statement`, a `LOAD DATA LOCAL INFILE '…' INTO TABLE …` (the file name is not
    /// read), sending `data` as the file's contents from memory through Connector/C's local
    /// infile handler (`mysql_set_local_infile_handler`): no file is written or read.
    ///
    /// Needs a connection opened with `allowsLocalInfile` and a server with `local_infile` on.
    ///
    /// - Throws: `MariaDBError` (the server refusing LOCAL: ER_NOT_ALLOWED_COMMAND, 1148, or
    ///   ER_LOAD_INFILE_CAPABILITY_DISABLED, 4166; the connection not allowing it: the client's
    ///   CR_LOAD_DATA_LOCAL_INFILE_REJECTED; any error of the statement).
    public func loadLocalData(_ statement: String, data: [UInt8]) throws -> LoadDataResult {
        guard let infile = localInfile else {
            throw MariaDBError(
                kind: .other, code: 2068, sqlState: "HY000",
                message: "the connection was opened without LOAD DATA LOCAL", operation: .query)
        }
        infile.start(data)
        defer { infile.finish() }
        let affected = try execute(statement)
        return LoadDataResult(affectedRows: affected, warnings: mysql_warning_count(handle))
    }

    /// Points Connector/C's local infile callbacks at `infile` (before the connection is
    /// made, so that no file is ever read through the library's default handler, which opens
    /// the file the server names), which only ever hands over the
    /// bytes of a ``loadLocalData(_:data:)`` in progress: a server asking for a file at any
    /// other time (the LOCAL risk the MariaDB docs describe, "a patched server could tell the
    /// client program to transfer a file of the server's choosing") gets an error, never a file.
    static func installLocalInfileHandler(_ infile: LocalInfileSource, on handle: UnsafeMutablePointer<MYSQL>) {
        mysql_set_local_infile_handler(
            handle,
            { state, _, userdata in
                // libmariadb hands `*state` to the error callback even when this one fails.
                state?.pointee = userdata
                guard let userdata else { return 1 }
                return Unmanaged<LocalInfileSource>.fromOpaque(userdata).takeUnretainedValue().isOpen ? 0 : 1
            },
            { state, buffer, length in
                guard let state, let buffer else { return -1 }
                return Unmanaged<LocalInfileSource>.fromOpaque(state).takeUnretainedValue().read(into: buffer, length)
            },
            { _ in },
            { _, buffer, length in
                let message = Array("scimsync sends rows only for its own LOAD DATA".utf8.prefix(Int(length)))
                if let buffer {
                    for (index, byte) in message.enumerated() { buffer[index] = CChar(bitPattern: byte) }
                    buffer[message.count] = 0
                }
                // CR_UNKNOWN_ERROR.
                return 2000
            },
            Unmanaged.passUnretained(infile).toOpaque())
    }
}

/// The bytes of the `LOAD DATA LOCAL` in progress on one connection, which Connector/C's
/// callbacks read on the connection's thread while `mysql_real_query` runs (the connection is
/// used by one thread at a time, so this needs no lock).
final class LocalInfileSource {
    private var data: [UInt8] = []
    private var offset = 0
    /// Whether a load is in progress: only then are bytes handed over.
    private(set) var isOpen = false

    func start(_ data: [UInt8]) {
        self.data = data
        offset = 0
        isOpen = true
    }

    func finish() {
        data = []
        offset = 0
        isOpen = false
    }

    /// Copies up to `length` bytes into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<CChar>, _ length: UInt32) -> Int32 {
        guard isOpen else { return -1 }
        let count = min(Int(length), data.count - offset, Int(Int32.max))
        guard count > 0 else { return 0 }
        data.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return Int32(count)
    }
}
