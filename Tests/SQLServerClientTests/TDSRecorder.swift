import Foundation

/// A scripted TDS 7.4 responder on a loopback port, for checking what db-lib puts on the wire and
/// how the client reads typed results, without a SQL Server ([MS-TDS] sections in comments).
///
/// It accepts any login whose password is `good` (else error 18456), records the payload of
/// every RPC request and SQL batch, answers an RPC with a return status and DONEPROC, the batch
/// `SELECT TYPES` with one row of typed columns (`typesReply`), a batch starting with `WAITFOR`
/// after 3 seconds or at once with DONE_ATTN when an attention arrives first, the batch
/// `DISCONNECT` by closing the connection, a batch naming `no_such_table` with error 208, and
/// any other batch with a DONE counting 3 rows.
final class TDSRecorder: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var rpcPayloads: [[UInt8]] = []
    private var batches: [String] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, generic, &length) == 0
            }
        }
        guard listener >= 0, bound else { throw RecorderError.cannotListen }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    enum RecorderError: Error { case cannotListen }

    var recordedRPCs: [[UInt8]] { lock.withLock { rpcPayloads } }
    var recordedBatches: [String] { lock.withLock { batches } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        while let (type, payload) = readMessage(client) {
            switch type {
            case 0x12:
                // PRELOGIN response: VERSION at 11 (6 bytes), ENCRYPTION at 17 (1 byte) =
                // ENCRYPT_NOT_SUP (2), terminator ([MS-TDS] 2.2.6.5).
                send(client, [0, 0, 11, 0, 6, 1, 0, 17, 0, 1, 0xff, 16, 0, 0, 0, 0, 0, 2])
            case 0x10:
                send(client, loginReply(payload))
            case 0x01:
                // SQL batch: ALL_HEADERS (its total length first), then UTF-16LE text.
                let headerLength = Int(le32(payload, 0))
                let text = String(decoding: utf16Units(payload[headerLength...]), as: UTF16.self)
                lock.withLock { batches.append(text) }
                // WAITFOR: nothing for 3 seconds unless an attention comes first, which SQL Server
                // acknowledges with a DONE carrying DONE_ATTN (0x20) ([MS-TDS] 2.2.1.7).
                // DISCONNECT: the server goes away mid-call.
                if text == "DISCONNECT" { return }
                if text.hasPrefix("WAITFOR") {
                    var descriptor = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                    if poll(&descriptor, 1, 3000) > 0, let (type, _) = readMessage(client), type == 0x06 {
                        send(client, Self.done(status: 0x20, count: 0))
                        continue
                    }
                }
                if text.contains("no_such_table") {
                    // ERROR 208 and a DONE with DONE_ERROR (0x02).
                    send(client, Self.message(token: 0xaa, number: 208, state: 1, severity: 16, text: "Invalid object name.")
                        + Self.done(status: 2, count: 0))
                    continue
                }
                send(client, text == "SELECT TYPES" ? Self.typesReply() : Self.done(status: 0x10, count: 3))
            case 0x03:
                lock.withLock { rpcPayloads.append(payload) }
                // RETURNSTATUS 0, DONEPROC.
                send(client, [0x79, 0, 0, 0, 0] + Self.done(status: 0, count: 0, token: 0xfe))
            case 0x06:
                send(client, Self.done(status: 0x20, count: 0))
            default:
                return
            }
        }
    }

    /// LOGIN7 ([MS-TDS] 2.2.6.4): the password's offset and length at 44, its bytes scrambled
    /// ("swapping the four high bits with the four low bits and then doing a bit-XOR with 0xA5").
    private func loginReply(_ payload: [UInt8]) -> [UInt8] {
        let offset = Int(le16(payload, 44)), count = Int(le16(payload, 46))
        let scrambled = payload[offset..<(offset + 2 * count)]
        let plain = scrambled.map { byte -> UInt8 in
            let unmasked = byte ^ 0xa5
            return unmasked >> 4 | unmasked << 4
        }
        if String(decoding: utf16Units(plain[...]), as: UTF16.self) != "good" {
            return Self.message(token: 0xaa, number: 18456, state: 1, severity: 14, text: "Login failed for user 'sa'.")
                + Self.done(status: 2, count: 0)
        }
        // ENVCHANGE collation (type 7), LOGINACK with TDS 7.4 (0x74000004), DONE.
        let environment: [UInt8] = [7, 5] + Self.collation + [0]
        let acknowledgement: [UInt8] = [1, 0x74, 0, 0, 4] + Self.bVarchar("recorder") + [16, 0, 0, 0]
        return [0xe3] + Self.le16Bytes(environment.count) + environment
            + [0xad] + Self.le16Bytes(acknowledgement.count) + acknowledgement + Self.done(status: 0, count: 0)
    }

    /// SQL_Latin1_General_CP1_CI_AS.
    static let collation: [UInt8] = [0x09, 0x04, 0xd0, 0x00, 0x34]

    /// One row: INT -7, BIGINT 2^62, BIT 1, NVARCHAR(100) and NVARCHAR(MAX) "héllo 😀 𝄞", a
    /// UNIQUEIDENTIFIER, DATETIME2(7) 2024-02-29 23:59:58.1234567, DECIMAL(10,2) -12.50,
    /// VARBINARY 00 01 ff, a NULL INT, DATETIME 1999-12-31 12:30:15.250.
    static func typesReply() -> [UInt8] {
        var columns: [UInt8] = []
        func column(_ name: String, _ typeInfo: [UInt8]) {
            // UserType (4), Flags (2: nullable, updatable unknown), TYPE_INFO, ColName.
            columns += [0, 0, 0, 0, 0x09, 0] + typeInfo + bVarchar(name)
        }
        column("i", [0x26, 4])
        column("b", [0x26, 8])
        column("f", [0x68, 1])
        column("n", [0xe7] + le16Bytes(200) + collation)
        column("nmax", [0xe7, 0xff, 0xff] + collation)
        column("u", [0x24, 16])
        column("dt2", [0x2a, 7])
        column("d", [0x6a, 5, 10, 2])
        column("vb", [0xa5] + le16Bytes(100))
        column("nul", [0x26, 4])
        column("dt", [0x6f, 8])
        let text: [UInt8] = Array("héllo 😀 𝄞".utf16).flatMap { unit -> [UInt8] in [UInt8(unit & 0xff), UInt8(unit >> 8)] }
        let guid: [UInt8] = [0x99, 0xbc, 0xee, 0xa0, 0x0b, 0x9c, 0xf8, 0x4e, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11]
        // DATETIME2: 100 ns units since midnight (5 bytes), days since 0001-01-01 (3 bytes).
        let seconds: UInt64 = 23 * 3600 + 59 * 60 + 58
        let dateTime2 = littleEndian(seconds * 10_000_000 + 1_234_567, count: 5) + littleEndian(738_944, count: 3)
        // DECIMAL: sign 0 = negative, then 1250 little-endian.
        let decimal: [UInt8] = [5, 0, 0xe2, 0x04, 0, 0]
        // DATETIME: days since 1900-01-01, then 1/300 s since midnight.
        let dateTimeDays: UInt64 = 36_523
        let dateTimeTime: UInt64 = (12 * 3600 + 30 * 60 + 15) * 300 + 75
        var row: [UInt8] = [0xd1]
        row += [4] + le32Bytes(UInt32(bitPattern: -7))
        row += [8] + littleEndian(1 << 62, count: 8)
        row += [1, 1]
        row += le16Bytes(text.count) + text
        // PLP: total length (8), one chunk (length 4, bytes), terminator (0, 4 bytes).
        row += littleEndian(UInt64(text.count), count: 8) + le32Bytes(UInt32(text.count)) + text + [0, 0, 0, 0]
        row += [16] + guid
        row += [8] + dateTime2
        row += decimal
        row += le16Bytes(3) + [0, 1, 0xff]
        row += [0]
        row += [8] + littleEndian(dateTimeDays, count: 4) + littleEndian(dateTimeTime, count: 4)
        return [0x81] + le16Bytes(11) + columns + row + done(status: 0x10, count: 1)
    }

    static func done(status: UInt16, count: UInt64, token: UInt8 = 0xfd) -> [UInt8] {
        [token] + le16Bytes(Int(status)) + [0, 0] + littleEndian(count, count: 8)
    }

    static func message(token: UInt8, number: Int32, state: UInt8, severity: UInt8, text: String) -> [UInt8] {
        let units = Array(text.utf16)
        let body = le32Bytes(UInt32(bitPattern: number)) + [state, severity] + le16Bytes(units.count)
            + units.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] } + bVarchar("recorder") + bVarchar("") + le32Bytes(1)
        return [token] + le16Bytes(body.count) + body
    }

    static func bVarchar(_ text: String) -> [UInt8] {
        let units = Array(text.utf16)
        return [UInt8(units.count)] + units.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
    }

    static func littleEndian(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func le16Bytes(_ value: Int) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
    static func le32Bytes(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * UInt32($0)) & 0xff) } }

    /// A message: packets up to the one with status EOM (1) ([MS-TDS] 2.2.3.1.2).
    private func readMessage(_ client: Int32) -> (UInt8, [UInt8])? {
        var payload: [UInt8] = []
        while true {
            guard let header = readExactly(client, 8) else { return nil }
            let length = Int(header[2]) << 8 | Int(header[3])
            guard length >= 8, let body = readExactly(client, length - 8) else { return nil }
            payload += body
            if header[1] & 1 == 1 { return (header[0], payload) }
        }
    }

    private func readExactly(_ client: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = bytes.withUnsafeMutableBytes { recv(client, $0.baseAddress! + filled, count - filled, 0) }
            guard received > 0 else { return nil }
            filled += received
        }
        return bytes
    }

    /// One reply message (type 4) in packets of at most 4096 bytes.
    private func send(_ client: Int32, _ payload: [UInt8]) {
        var offset = 0
        var packet: UInt8 = 1
        repeat {
            let chunk = payload[offset..<min(offset + 4088, payload.count)]
            offset += chunk.count
            let length = chunk.count + 8
            let header: [UInt8] = [4, offset >= payload.count ? 1 : 0, UInt8(length >> 8), UInt8(length & 0xff), 0, 0, packet, 0]
            let bytes = header + chunk
            _ = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL)) }
            packet &+= 1
        } while offset < payload.count
    }
}

func le16(_ bytes: [UInt8], _ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}

func utf16Units(_ bytes: ArraySlice<UInt8>) -> [UInt16] {
    stride(from: bytes.startIndex, to: bytes.endIndex - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
}
