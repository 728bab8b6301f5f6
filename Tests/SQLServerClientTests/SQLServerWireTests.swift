import Directory
import Foundation
import SQLServerClient
import Testing

/// What db-lib sends for `query`'s parameters and how typed results come back, checked against
/// the scripted responder in TDSRecorder.swift (no SQL Server needed).
@Suite struct SQLServerWireTests {
    /// One RPC parameter as it was on the wire ([MS-TDS] 2.2.6.6 RPCRequest, ParameterData).
    struct WireParameter: Equatable {
        var name: String
        /// The TYPE_INFO's type byte: 0xE7 NVARCHAR, 0xA5 BIGVARBINARY, 0x26 INTN, 0x68 BITN,
        /// 0x6D FLTN, 0x2A DATETIME2N, 0x6A DECIMALN.
        var type: UInt8
        /// Whether the length is 0xFFFF: a (max) type sent as PLP chunks.
        var isMax: Bool = false
        /// The value's bytes; nil for NULL.
        var value: [UInt8]?
        /// DECIMALN's precision and scale, DATETIME2N's scale.
        var precision: UInt8 = 0
        var scale: UInt8 = 0

        var text: String? { value.map { String(decoding: utf16Units($0[...]), as: UTF16.self) } }
    }

    /// The procedure name and parameters of a recorded RPC request.
    static func decode(_ payload: [UInt8]) -> (procedure: String, parameters: [WireParameter]) {
        var position = Int(le32(payload, 0))
        func byte() -> UInt8 { defer { position += 1 }; return payload[position] }
        func bytes(_ count: Int) -> [UInt8] { defer { position += count }; return Array(payload[position..<(position + count)]) }
        let nameLength = Int(le16(payload, position))
        position += 2
        let procedure = String(decoding: utf16Units(bytes(2 * nameLength)[...]), as: UTF16.self)
        position += 2
        var parameters: [WireParameter] = []
        while position < payload.count {
            let name = String(decoding: utf16Units(bytes(2 * Int(byte()))[...]), as: UTF16.self)
            _ = byte()
            var parameter = WireParameter(name: name, type: byte())
            switch parameter.type {
            case 0xe7, 0xa5:
                let maximum = le16(payload, position)
                position += 2
                if parameter.type == 0xe7 { position += 5 }
                if maximum == 0xffff {
                    parameter.isMax = true
                    let total = bytes(8)
                    if total != [UInt8](repeating: 0xff, count: 8) {
                        var value: [UInt8] = []
                        while true {
                            let chunk = Int(le32(payload, position))
                            position += 4
                            if chunk == 0 { break }
                            value += bytes(chunk)
                        }
                        parameter.value = value
                    }
                } else {
                    let length = Int(le16(payload, position))
                    position += 2
                    parameter.value = length == 0xffff ? nil : bytes(length)
                }
            case 0x26, 0x68, 0x6d:
                _ = byte()
                let length = Int(byte())
                parameter.value = length == 0 ? nil : bytes(length)
            case 0x2a:
                parameter.scale = byte()
                let length = Int(byte())
                parameter.value = length == 0 ? nil : bytes(length)
            case 0x6a, 0x6c:
                _ = byte()
                parameter.precision = byte()
                parameter.scale = byte()
                let length = Int(byte())
                parameter.value = length == 0 ? nil : bytes(length)
            default:
                Issue.record("unexpected parameter type \(parameter.type)")
                return (procedure, parameters)
            }
            parameters.append(parameter)
        }
        return (procedure, parameters)
    }

    private static func connect(_ recorder: TDSRecorder, password: String = "good") throws -> SQLServerConnection {
        try SQLServerConnection(
            host: "127.0.0.1", port: recorder.port, user: "sa", password: password, connectTimeout: 10,
            loginTimeout: 10, encryption: .off
        )
    }

    /// Text goes as NVARCHAR(MAX) in UTF-16LE, characters outside the BMP as surrogate pairs,
    /// and long values whole (more than the 4000 characters of NVARCHAR(n)).
    @Test func textIsUTF16NVarcharMax() throws {
        let recorder = try TDSRecorder()
        let connection = try Self.connect(recorder)
        let long = String(repeating: "a😀", count: 20_000)
        try connection.query("SELECT @p1, @p2 WHERE @p3 = 1", [.text("é😀𝄞"), .text(long), .int(5)])
        let rpc = try #require(recorder.recordedRPCs.first)
        let (procedure, parameters) = Self.decode(rpc)
        #expect(procedure == "sp_executesql")
        #expect(parameters.map(\.name) == ["@stmt", "@params", "@p1", "@p2", "@p3"])
        #expect(parameters[0].text == "SELECT @p1, @p2 WHERE @p3 = 1")
        #expect(parameters[0].type == 0xe7 && parameters[0].isMax)
        #expect(parameters[1].text == "@p1 nvarchar(max), @p2 nvarchar(max), @p3 bigint")
        #expect(parameters[2] == WireParameter(
            name: "@p1", type: 0xe7, isMax: true, value: [0xe9, 0x00, 0x3d, 0xd8, 0x00, 0xde, 0x34, 0xd8, 0x1e, 0xdd]))
        #expect(parameters[3].text == long)
        #expect(parameters[3].value?.count == 120_000)
        #expect(parameters[4] == WireParameter(name: "@p3", type: 0x26, value: [5, 0, 0, 0, 0, 0, 0, 0]))
    }

    @Test func everyTypeIsATypedParameter() throws {
        let recorder = try TDSRecorder()
        let connection = try Self.connect(recorder)
        let dateTime = SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 123_456)
        try connection.query("SELECT 1", [
            .bool(true), .null, .text(""), .bytes([1, 2]), .dateTime(dateTime), .decimal("-12.50"),
            .date(SQLDate(year: 2024, month: 1, day: 1)), .double(0.5), .bytes([]),
        ])
        let (_, parameters) = Self.decode(try #require(recorder.recordedRPCs.first))
        #expect(parameters[0].text == "SET @p3 = N''; SET @p9 = 0x;\nSELECT 1")
        #expect(parameters[1].text == "@p1 bit, @p2 nvarchar(max), @p3 nvarchar(max), @p4 varbinary(max), "
            + "@p5 datetime2(7), @p6 decimal(4,2), @p7 datetime2(7), @p8 float, @p9 varbinary(max)")
        #expect(parameters[2] == WireParameter(name: "@p1", type: 0x68, value: [1]))
        #expect(parameters[3] == WireParameter(name: "@p2", type: 0xe7, isMax: true, value: nil))
        #expect(parameters[4] == WireParameter(name: "@p3", type: 0xe7, isMax: true, value: nil))
        #expect(parameters[5] == WireParameter(name: "@p4", type: 0xa5, isMax: true, value: [1, 2]))
        // 863,981,234,560 x 100 ns after midnight; day 738,944 after 0001-01-01.
        #expect(parameters[6] == WireParameter(
            name: "@p5", type: 0x2a, value: [0x80, 0x69, 0x4b, 0x29, 0xc9, 0x80, 0x46, 0x0b], scale: 7))
        // Sign 0 (negative on the wire), 1250 little-endian.
        #expect(parameters[7] == WireParameter(name: "@p6", type: 0x6a, value: [0, 0xe2, 0x04], precision: 4, scale: 2))
        #expect(parameters[8] == WireParameter(
            name: "@p7", type: 0x2a, value: [0, 0, 0, 0, 0, 0x45, 0x46, 0x0b], scale: 7))
        #expect(parameters[9] == WireParameter(name: "@p8", type: 0x6d, value: [0, 0, 0, 0, 0, 0, 0xe0, 0x3f]))
        #expect(parameters[10] == WireParameter(name: "@p9", type: 0xa5, isMax: true, value: nil))
    }

    @Test func withoutParametersABatchIsSent() throws {
        let recorder = try TDSRecorder()
        let connection = try Self.connect(recorder)
        #expect(try connection.execute("UPDATE t SET a = 1") == 3)
        #expect(connection.affectedRowCount == 3)
        #expect(recorder.recordedBatches.last == "UPDATE t SET a = 1")
        #expect(recorder.recordedRPCs.isEmpty)
    }

    @Test func resultsAreTypedByColumn() throws {
        let recorder = try TDSRecorder()
        let connection = try Self.connect(recorder)
        let rows = try connection.query("SELECT TYPES")
        #expect(rows == [Row(columns: ["i", "b", "f", "n", "nmax", "u", "dt2", "d", "vb", "nul", "dt"], values: [
            .int(-7), .int(1 << 62), .bool(true), .text("héllo 😀 𝄞"), .text("héllo 😀 𝄞"),
            .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            .dateTime(SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 123_456)),
            .decimal("-12.50"), .bytes([0, 1, 0xff]), .null,
            .dateTime(SQLDateTime(date: SQLDate(year: 1999, month: 12, day: 31), hour: 12, minute: 30, second: 15, microsecond: 250_000)),
        ])])
    }

    /// A call that runs past the query timeout throws `.timeout`; db-lib cancels the batch and
    /// the connection answers the next call.
    @Test func aQueryTimeoutCancelsAndTheConnectionGoesOn() throws {
        let recorder = try TDSRecorder()
        let connection = try SQLServerConnection(
            host: "127.0.0.1", port: recorder.port, user: "sa", password: "good", queryTimeout: 1, encryption: .off
        )
        let error = try #require(throws: SQLServerError.self) { try connection.execute("WAITFOR DELAY '00:00:03'") }
        #expect(error.kind == .timeout)
        #expect(try connection.execute("UPDATE t SET a = 1") == 3)
    }

    /// db-lib's handlers are process-wide: each message must reach the connection it is about,
    /// also while another connection on another thread runs at the same time.
    @Test func messagesReachTheirOwnConnection() throws {
        let recorder = try TDSRecorder()
        // Each connection is opened and used on its own thread: it is not Sendable.
        nonisolated(unsafe) var failures = 0, successes = 0
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) {
            guard let failing = try? Self.connect(recorder) else { return }
            for _ in 0..<200 {
                do {
                    try failing.execute("SELECT * FROM no_such_table")
                } catch let error as SQLServerError where error.number == 208 {
                    failures += 1
                } catch {}
            }
        }
        DispatchQueue.global().async(group: done) {
            guard let succeeding = try? Self.connect(recorder) else { return }
            for _ in 0..<200 where (try? succeeding.execute("UPDATE t SET a = 1")) == 3 {
                successes += 1
            }
        }
        done.wait()
        #expect(failures == 200)
        #expect(successes == 200)
    }

    @Test func aServerThatGoesAwayBreaksTheConnection() throws {
        let recorder = try TDSRecorder()
        let connection = try Self.connect(recorder)
        let error = try #require(throws: SQLServerError.self) { try connection.execute("DISCONNECT") }
        #expect(error.connectionBroken)
        #expect(error.kind == .lostConnection)
        #expect(connection.isBroken)
        let again = try #require(throws: SQLServerError.self) { try connection.query("SELECT 1") }
        #expect(again.connectionBroken)
    }

    @Test func aRefusedLoginIs18456() throws {
        let recorder = try TDSRecorder()
        let error = try #require(throws: SQLServerError.self) { try Self.connect(recorder, password: "wrong") }
        #expect(error.number == 18456)
        #expect(error.severity == 14)
        #expect(error.kind == .loginFailed)
        #expect(error.message == "Login failed for user 'sa'.")
        #expect(!error.description.contains("Login failed for user"))
    }

    /// Encryption required by default: a server that cannot encrypt is refused, not used in clear.
    @Test func requiredEncryptionRefusesAPlainServer() throws {
        let recorder = try TDSRecorder()
        let error = try #require(throws: SQLServerError.self) {
            try SQLServerConnection(host: "127.0.0.1", port: recorder.port, user: "sa", password: "good")
        }
        #expect(error.kind == .cannotConnect(host: "127.0.0.1", port: recorder.port))
        #expect(recorder.recordedBatches.isEmpty)
    }
}
