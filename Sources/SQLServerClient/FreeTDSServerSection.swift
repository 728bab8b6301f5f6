/// The settings db-lib takes only from a freetds.conf section, not from a LOGINREC: the
/// encryption level (dbsetlbool answers FAIL for DBSETENCRYPT, src/dblib/dblib.c), the connect
/// and query timeouts (dbsetlogintime and dbsettime are process-wide), the text size, and the
/// address itself (dbopen's server name names a section).
struct FreeTDSServerSection: Hashable {
    var host: String
    var port: Int
    var encryption: SQLServerEncryption
    var connectTimeout: Int
    /// Seconds; 0 for no limit.
    var queryTimeout: Int

    /// The section's lines. "text size": SQL Server cuts (n)varchar(max), text and image values
    /// in results to the session's TEXTSIZE, which FreeTDS sets at login from this setting
    /// (64512 bytes by default); the largest value, 2^31 - 1, lets every value through whole.
    func lines(name: String) -> [String] {
        [
            "[\(name)]",
            "host = \(host)",
            "port = \(port)",
            "tds version = 7.4",
            "encryption = \(encryption.rawValue)",
            "connect timeout = \(connectTimeout)",
            "timeout = \(queryTimeout)",
            "text size = 2147483647",
            "client charset = UTF-8",
            "use utf-16 = yes",
        ]
    }
}
