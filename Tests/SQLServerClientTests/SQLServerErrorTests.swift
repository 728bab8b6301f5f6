@testable import SQLServerClient
import Testing

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
