import Config
import Daemon
import Hummingbird
import HummingbirdTesting
import Logging
import SCIM
import SCIMServer
import TestSupport
import Testing
import Targets

/// A database that cannot be reached is a 503 SCIM error whose body names no host, SQL or
/// database message; the log has the reason.
@Suite("SCIM server: outage")
struct SCIMServerOutageTests {
    @Test func unreachableDatabaseIs503() async throws {
        let port = try TestServers.refusingPort()
        let layout = try SCIMServerFixture.layout("outage")
        let endpoint = Endpoint(
            connection: .mysql(MySQLConnectionConfig(host: "127.0.0.1", port: port, user: "u", password: "secret-pw", database: "d")),
            layout: layout)
        let service = SCIMService(
            pool: DirectoryPool(size: 1) { try SQLTarget.open(endpoint) }, layout: layout,
            settings: SCIMSettings(basePath: "/scim/v2", maxPageSize: 10, token: nil, maxBodyBytes: 1024),
            logger: Logger(label: "test"))
        let app = Application(router: SCIMRouter.router(service: service))
        try await app.test(.router) { raw in
            let client = SCIMClient(client: raw)
            let reply = try await client.send(.get, "Users", token: nil)
            #expect(reply.status == 503)
            #expect(reply["schemas"] == [.string(SchemaURN.error)])
            let text = reply.json?.jsonString() ?? ""
            #expect(!text.contains("\(port)"))
            #expect(!text.contains("secret-pw"))
            #expect(!text.contains("MariaDB"))
        }
    }
}
