import CFreeTDS

/// A db-lib LOGINREC: the user, password, application name, database and charset for one
/// dbopen. Freed in deinit (dbloginfree), which also clears the password it holds.
///
/// Not thread-safe and not Sendable: it lives inside one `SQLServerConnection.init`.
final class SQLServerLogin {
    let handle: OpaquePointer

    init(user: String, password: String, database: String?) throws {
        guard let handle = dblogin() else {
            throw SQLServerError(kind: .other, number: 0, message: "dblogin: out of memory", operation: .connect)
        }
        self.handle = handle
        var succeeded = scimsync_dbsetluser(handle, user) == SUCCEED
        succeeded = succeeded && scimsync_dbsetlpwd(handle, password) == SUCCEED
        succeeded = succeeded && scimsync_dbsetlapp(handle, "scimsync") == SUCCEED
        // The client charset: FreeTDS converts NVARCHAR data to and from it, so every string
        // crossing the Swift boundary is UTF-8.
        succeeded = succeeded && scimsync_dbsetlcharset(handle, "UTF-8") == SUCCEED
        succeeded = succeeded && scimsync_dbsetlutf16(handle, 1) == SUCCEED
        succeeded = succeeded && scimsync_dbsetlversion_74(handle) == SUCCEED
        if let database {
            succeeded = succeeded && scimsync_dbsetldbname(handle, database) == SUCCEED
        }
        guard succeeded else {
            throw SQLServerError(
                kind: .other, number: 0, message: "db-lib refused a login setting (a value too long?)", operation: .connect
            )
        }
    }

    deinit {
        dbloginfree(handle)
    }
}

@available(*, unavailable) extension SQLServerLogin: Sendable {}
