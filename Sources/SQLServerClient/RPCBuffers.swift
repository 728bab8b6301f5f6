import CFreeTDS

/// Copies of RPC parameter values, kept until dbrpcsend has read them.
final class RPCBuffers {
    private var allocations: [UnsafeMutableRawPointer] = []

    func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<BYTE> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 8)
        bytes.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        allocations.append(raw)
        return raw.assumingMemoryBound(to: BYTE.self)
    }

    deinit {
        for allocation in allocations {
            allocation.deallocate()
        }
    }
}

@available(*, unavailable) extension RPCBuffers: Sendable {}
