import Directory
@testable import SQLServerClient
import Testing

/// How values become sp_executesql parameters, without a server.
@Suite struct SQLServerParameterTests {
    @Test func declarationListNamesEveryValueByItsType() throws {
        let values: [SQLValue] = [
            .text("a"), .int(1), .bool(true),
            .dateTime(SQLDateTime(date: SQLDate(year: 2024, month: 1, day: 2), hour: 3, minute: 4, second: 5)),
            .bytes([1]), .decimal("12.50"), .null, .double(1.5), .date(SQLDate(year: 2000, month: 1, day: 1)),
            .time(SQLTime(hours: 1, minutes: 2, seconds: 3)), .uint(UInt64.max), .uint(7), .json("{}"),
        ]
        let batch = SQLServerBatch(sql: "SELECT 1", parameters: try values.map(SQLServerParameter.init))
        #expect(batch.declarations == "@p1 nvarchar(max), @p2 bigint, @p3 bit, @p4 datetime2(7), @p5 varbinary(max), "
            + "@p6 decimal(4,2), @p7 nvarchar(max), @p8 float, @p9 datetime2(7), @p10 datetime2(7), @p11 decimal(20,0), "
            + "@p12 bigint, @p13 nvarchar(max)")
        #expect(batch.names == (1...13).map { "@p\($0)" })
        #expect(batch.statement == "SELECT 1")
    }

    @Test func valuesAreNeverPartOfTheStatement() throws {
        let secret = "'; DROP TABLE users; --"
        let batch = SQLServerBatch(sql: "SELECT @p1", parameters: [try SQLServerParameter(.text(secret))])
        #expect(!batch.statement.contains(secret))
        #expect(!batch.declarations.contains(secret))
    }

    /// db-lib sends a zero-length value as NULL: empty values are set inside the batch from a
    /// constant, and NULL stays NULL.
    @Test func emptyTextAndBytesArePresetInTheBatch() throws {
        let parameters = try [SQLValue.text(""), .bytes([]), .null, .text("x")].map(SQLServerParameter.init)
        let batch = SQLServerBatch(sql: "SELECT @p1, @p2, @p3, @p4", parameters: parameters)
        #expect(batch.statement == "SET @p1 = N''; SET @p2 = 0x;\nSELECT @p1, @p2, @p3, @p4")
        #expect(parameters[2].wire == .null)
    }

    @Test func textTravelsAsUTF8ForFreeTDSToConvert() throws {
        let parameter = try SQLServerParameter(.text("é😀"))
        #expect(parameter.wire == .text([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]))
    }

    @Test func datesCountDaysFrom1900() throws {
        #expect(try SQLServerParameter(.date(SQLDate(year: 1900, month: 1, day: 1))).wire == .dateTime(days: 0, ticks: 0))
        #expect(try SQLServerParameter(.date(SQLDate(year: 1970, month: 1, day: 1))).wire == .dateTime(days: 25_567, ticks: 0))
        #expect(try SQLServerParameter(.date(SQLDate(year: 1, month: 1, day: 1))).wire == .dateTime(days: -693_595, ticks: 0))
        let value = SQLDateTime(date: SQLDate(year: 1900, month: 1, day: 2), hour: 0, minute: 0, second: 1, microsecond: 5)
        #expect(try SQLServerParameter(.dateTime(value)).wire == .dateTime(days: 1, ticks: 10_000_050))
        #expect(try SQLServerParameter(.timestamp(value)).declaredType == "datetime2(7)")
        let time = SQLTime(hours: 1, minutes: 0, seconds: 0, microseconds: 1)
        #expect(try SQLServerParameter(.time(time)).wire == .dateTime(days: 0, ticks: 36_000_000_010))
    }

    @Test func valuesWithoutASQLServerTypeAreRefused() {
        #expect(throws: SQLServerError.self) {
            try SQLServerParameter(.time(SQLTime(negative: true, hours: 1, minutes: 0, seconds: 0)))
        }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.time(SQLTime(hours: 25, minutes: 0, seconds: 0))) }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.decimal(String(repeating: "9", count: 39))) }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.decimal("1e5")) }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.date(SQLDate(year: 0, month: 0, day: 0))) }
    }
}

@Suite struct SQLServerDecimalTests {
    @Test func precisionAndScaleFollowTheDigits() throws {
        let decimal = try #require(SQLServerDecimal("12.50"))
        #expect(decimal.precision == 4)
        #expect(decimal.scale == 2)
        #expect(!decimal.negative)
        // 1250 = 0x04e2, in the 2 magnitude bytes of precision 4 (3 bytes with the sign).
        #expect(decimal.magnitude == [0x04, 0xe2])
        #expect(decimal.dbDecimalBytes.prefix(5) == [4, 2, 0, 0x04, 0xe2])
        #expect(decimal.dbDecimalBytes.count == 35)
    }

    @Test func signsAndLeadingZeros() throws {
        let negative = try #require(SQLServerDecimal("-0.05"))
        #expect((negative.precision, negative.scale, negative.negative) == (2, 2, true))
        #expect(negative.magnitude == [5])
        let zero = try #require(SQLServerDecimal("-0"))
        #expect((zero.precision, zero.scale, zero.negative) == (1, 0, false))
        #expect(try #require(SQLServerDecimal("+7")).magnitude == [7])
        #expect(try #require(SQLServerDecimal(".5")).scale == 1)
        #expect(SQLServerDecimal("") == nil)
        #expect(SQLServerDecimal("-") == nil)
        #expect(SQLServerDecimal("1.2.3") == nil)
    }

    @Test func thirtyEightDigitsFitTheirBytes() throws {
        let largest = try #require(SQLServerDecimal(String(repeating: "9", count: 38)))
        #expect(largest.precision == 38)
        #expect(largest.magnitude.count == 16)
        // 10^38 - 1 = 0x4b3b4ca85a86c47a098a223fffffffff
        #expect(largest.magnitude == [
            0x4b, 0x3b, 0x4c, 0xa8, 0x5a, 0x86, 0xc4, 0x7a, 0x09, 0x8a, 0x22, 0x3f, 0xff, 0xff, 0xff, 0xff,
        ])
        let uint = try #require(SQLServerDecimal(String(UInt64.max)))
        #expect(uint.precision == 20)
        #expect(uint.magnitude == [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }
}

@Suite struct SQLServerColumnValueTests {
    /// [MS-DTYP] 2.3.4.2: Data1..Data3 little-endian, Data4 in order.
    @Test func uniqueIdentifiersAreLowercaseCanonical() {
        let bytes: [UInt8] = [
            0x99, 0xbc, 0xee, 0xa0, 0x0b, 0x9c, 0xf8, 0x4e, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11,
        ]
        #expect(SQLServerColumnValue.uniqueIdentifierText(bytes) == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    }
}

@Suite struct SQLServerErrorTests {
    @Test func descriptionsLeaveTheServersMessageOut() {
        let error = SQLServerError(
            number: 2627, state: 1, severity: 14,
            message: "Violation of PRIMARY KEY constraint. The duplicate key value is (alice@example.com).",
            operation: .query, connectionBroken: false, host: "db", port: 1433
        )
        #expect(error.kind == .duplicateKey)
        #expect(!error.description.contains("alice"))
        #expect(error.description.contains("2627"))
        #expect(String(reflecting: error).contains("alice@example.com"))
    }

    @Test func numbersAreClassified() {
        func kind(_ number: Int, broken: Bool = false) -> SQLServerError.Kind {
            SQLServerError.classify(number: number, connectionBroken: broken, host: "h", port: 1)
        }
        #expect(kind(18456) == .loginFailed)
        #expect(kind(208) == .invalidObject)
        #expect(kind(207) == .invalidColumn)
        #expect(kind(4060) == .unknownDatabase)
        #expect(kind(20009) == .cannotConnect(host: "h", port: 1))
        #expect(kind(20003) == .timeout)
        #expect(kind(20004, broken: true) == .lostConnection)
        #expect(kind(50000) == .other)
    }

    /// A connection that never opened was not lost; a server's own refusal keeps its kind.
    @Test func failuresWhileConnectingAreCannotConnect() {
        func error(_ number: Int) -> SQLServerError {
            SQLServerError(
                number: number, state: 0, severity: 0, message: "", operation: .connect, connectionBroken: true,
                host: "h", port: 1
            )
        }
        #expect(error(0).kind == .cannotConnect(host: "h", port: 1))
        #expect(error(20004).kind == .cannotConnect(host: "h", port: 1))
        #expect(error(18456).kind == .loginFailed)
        #expect(error(18452).kind == .other)
    }
}

@Suite struct SQLServerConnectFailureTests {
    /// db-lib's errors reach the connection being opened (its DBPROCESS has no user data yet)
    /// and come back typed, without a server.
    @Test func aClosedPortIsCannotConnect() throws {
        let error = try #require(throws: SQLServerError.self) {
            try SQLServerConnection(
                host: "127.0.0.1", port: 1, user: "sa", password: "secret-password", connectTimeout: 5, loginTimeout: 5,
                encryption: .off
            )
        }
        #expect(error.kind == .cannotConnect(host: "127.0.0.1", port: 1))
        #expect(error.operation == .connect)
        #expect(error.connectionBroken)
        #expect(!String(reflecting: error).contains("secret-password"))
    }

    @Test func aHostThatCouldAddSettingsIsRefused() throws {
        let error = try #require(throws: SQLServerError.self) {
            try SQLServerConnection(
                host: "db\n    encryption = off", user: "sa", password: "x", encryption: .require
            )
        }
        #expect(error.kind == .cannotConnect(host: "db\n    encryption = off", port: 1433))
    }
}
