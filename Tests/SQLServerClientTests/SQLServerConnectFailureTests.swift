import SQLServerClient
import Testing

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
