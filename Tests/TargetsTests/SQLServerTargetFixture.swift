import Directory
import SQLClients
import SQLServerClient
import Targets
import TestSupport

extension TargetUnderTest {
    /// A SQL Server target in a fresh database of the TDS test double (or of the server
    /// SCIMSYNC_TEST_SQLSERVER_URL names); with `context`, its writes are tagged as a
    /// pipeline's are.
    static func sqlServer(_ layout: DirectoryLayout, context: [UInt8]? = nil) throws -> TargetUnderTest {
        let server = try SQLServerTestServer.freshDatabase("scimsync_target")
        let connection = SQLServerTargetConnection(try server.connect(), changeTrackingContext: context)
        // The database is the test's own; dropping it is left to the server's directory.
        return TargetUnderTest(connection: connection, dialect: .sqlServer(schema: "dbo"), layout: layout) {}
    }
}
