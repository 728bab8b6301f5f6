#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFreeTDS

/// db-lib's process-wide state, set up once: dbinit, the message and error handlers, and the
/// configuration file every connection of this process reads.
///
/// Swift initialises a global exactly once, atomically, so concurrent first connections do not
/// race through dbinit ("dbinit must be called before any other db-lib function", db-lib
/// reference).
enum FreeTDSLibrary {
    /// The thread-specific slot through which the handlers find the collector of a connection
    /// that dbopen is still opening (its DBPROCESS has no user data yet).
    static let openingCollectorKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// Whether dbinit succeeded; the handlers and the configuration file are set up with it.
    static let initialised: Bool = {
        _ = openingCollectorKey
        guard dbinit() == SUCCEED else { return false }
        _ = dberrhandle(libraryErrorHandler)
        _ = dbmsghandle(serverMessageHandler)
        return true
    }()

    /// The configuration sections written so far, by their content, and the file holding them.
    private static let sections = FreeTDSConfigurationFile()

    /// The name of a freetds.conf section holding `server`'s settings, for dbopen.
    static func section(for server: FreeTDSServerSection) throws -> String {
        try sections.section(for: server)
    }
}
