/// Whether the TDS connection is encrypted with TLS: FreeTDS's `encryption` setting
/// (freetds.conf, "encryption = off | request | require"), negotiated in the PRELOGIN exchange.
///
/// FreeTDS checks the server's certificate only when a CA file is configured
/// (src/tds/tls.c: the peer is verified "if cafile is set"); scimsync configures none, so
/// encryption here protects against eavesdropping, not against an impostor server.
public enum SQLServerEncryption: String, Sendable, Hashable {
    /// No TLS. FreeTDS tells the server it cannot encrypt; a server that requires encryption
    /// (Azure SQL, Force Encryption) refuses the connection. For test servers without TLS.
    case off
    /// TLS when the server offers it, plain TCP when it does not (a downgrade an attacker on the
    /// path can force).
    case request
    /// TLS for the whole connection, or no connection: what a production server needs (Azure SQL
    /// always encrypts; Microsoft's own drivers encrypt by default since ODBC Driver 18).
    case require
}
