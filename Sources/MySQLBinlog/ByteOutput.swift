/// A growable byte buffer that `scimsync tail` writes its lines into: an append is a capacity
/// check and a copy.
///
/// `Array<UInt8>.append(contentsOf:)` costs about ninety instructions a call whatever the
/// length (its generic path checks uniqueness, capacity and the source's count, then copies),
/// and a line is some thirty appends of a few bytes each (a key, a value, a comma); that was an
/// eighth of tail's instructions. The buffer is not copyable, so nothing else can share its
/// storage and no append has to check.
public struct ByteOutput: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    /// The bytes appended so far.
    public private(set) var count = 0
    private var capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    public var isEmpty: Bool { count == 0 }

    /// The last byte, if any.
    public var last: UInt8? { count > 0 ? start[count - 1] : nil }

    /// A copy of the bytes.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    /// Runs `body` on the bytes appended so far (valid during the call only).
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// Makes room for `additional` more bytes, at least doubling the storage when it grows.
    public mutating func reserve(_ additional: Int) {
        guard capacity - count < additional else { return }
        let grown = max(capacity * 2, count + additional)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.initialize(from: start, count: count)
        start.deallocate()
        start = larger
        capacity = grown
    }

    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if count == capacity { reserve(1) }
        start[count] = byte
        count += 1
    }

    @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let length = bytes.count
        guard length > 0 else { return }
        if capacity - count < length { reserve(length) }
        Self.copy(bytes, to: UnsafeMutableRawPointer(start + count))
        count += length
    }

    /// `bytes` with `delimiter` before and after them (a JSON string's quotes), with one check
    /// for room.
    @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, between delimiter: UInt8) {
        let length = bytes.count
        if capacity - count < length + 2 { reserve(length + 2) }
        start[count] = delimiter
        if length > 0 { Self.copy(bytes, to: UnsafeMutableRawPointer(start + count + 1)) }
        start[count + length + 1] = delimiter
        count += length + 2
    }

    /// Copies `bytes` (at least one) to `target`, which has room for them.
    @inline(__always)
    private static func copy(_ bytes: UnsafeBufferPointer<UInt8>, to target: UnsafeMutableRawPointer) {
        let length = bytes.count
        let source = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped)
        // Most appends are a few bytes (a key, a number, a name): two overlapping words copy
        // them without a call to memmove, whose set-up costs more than the copy.
        if length >= 8, length <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self), toByteOffset: length - 8,
                as: UInt64.self)
        } else if length >= 4, length < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self), toByteOffset: length - 4,
                as: UInt32.self)
        } else if length < 4 {
            for index in 0..<length { target.storeBytes(of: bytes[index], toByteOffset: index, as: UInt8.self) }
        } else {
            target.copyMemory(from: source, byteCount: length)
        }
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// The UTF-8 bytes of `text`.
    public mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// The UTF-8 bytes of a literal.
    @inline(__always)
    public mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Drops the last `length` bytes.
    public mutating func removeLast(_ length: Int = 1) {
        precondition(length >= 0 && length <= count, "removing more bytes than there are")
        count -= length
    }

    /// Empties the buffer, keeping its storage.
    public mutating func removeAll() {
        count = 0
    }
}
