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

    /// The block small copies are carved from, and how much of it is used: a multi-row
    /// statement binds thousands of short values, one allocation each would dominate binding.
    private var block: UnsafeMutablePointer<UInt8>?
    private var blockUsed = 0
    private static let blockSize = 64 * 1024

    /// A copy of `bytes` followed by a NUL, so the buffer also serves as a C string.
    func copy(_ bytes: some Collection<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let count = bytes.count
        let buffer: UnsafeMutablePointer<UInt8>
        if count + 1 > Self.blockSize / 8 {
            buffer = allocate(UInt8.self, count: count + 1)
        } else {
            if block == nil || blockUsed + count + 1 > Self.blockSize {
                block = allocate(UInt8.self, count: Self.blockSize)
                blockUsed = 0
            }
            // The block is zeroed: the byte after the copy is its NUL.
            buffer = block! + blockUsed
            blockUsed += count + 1
        }
        let copied: Bool? = bytes.withContiguousStorageIfAvailable { source in
            if let base = source.baseAddress { buffer.update(from: base, count: count) }
            return true
        }
        if copied == nil {
            _ = UnsafeMutableBufferPointer(start: buffer, count: count).initialize(from: bytes)
        }
        return buffer
    }
}

@available(*, unavailable) extension BindStorage: Sendable {}
