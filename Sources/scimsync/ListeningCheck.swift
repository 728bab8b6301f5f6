#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a TCP address can be listened on, asked before anything starts: a port another
/// process holds would otherwise be found only once the pipelines are running, in the HTTP
/// library's words.
enum ListeningCheck {
    /// Why `host:port` cannot be listened on, naming the configuration key and the fix; nil
    /// when it can (the test socket is closed again at once).
    static func problem(host: String, port: Int, key: String, file: String) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else { return nil }
        defer { freeaddrinfo(found) }
        let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 else { return nil }
        let code = errno
        let what = code == EADDRINUSE ? "is in use (another scimsync, or another program, listens there)"
            : code == EACCES ? "needs privileges this user lacks (ports below 1024)"
            : "cannot be listened on (\(String(cString: strerror(code))))"
        return "\(file): \(key): \(host):\(port) \(what); stop what holds it, or set \(key) to another port"
    }
}
