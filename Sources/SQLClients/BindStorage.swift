/// Memory for the buffers a C API reads or writes through pointers after the call that received
/// them returns (MYSQL_BIND buffers, PQexecParams value arrays). Everything allocated here is
/// zeroed and lives until the storage is released, so the owner decides the lifetime with
/// `withExtendedLifetime` or by keeping the storage in a property.
final class BindStorage {
    private var allocations: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for allocation in allocations {
            allocation.deallocate()
        }
    }

    /// Zeroed memory for `count` values of `T`.
    func allocate<T>(_: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let bytes = max(MemoryLayout<T>.stride * count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: MemoryLayout<T>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// A copy of `bytes` followed by a NUL, so the buffer also serves as a C string.
    func copy(_ bytes: some Collection<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let buffer = allocate(UInt8.self, count: bytes.count + 1)
        _ = UnsafeMutableBufferPointer(start: buffer, count: bytes.count).initialize(from: bytes)
        return buffer
    }
}

@available(*, unavailable) extension BindStorage: Sendable {}
