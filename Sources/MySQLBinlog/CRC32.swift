/// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial value and final XOR
/// 0xFFFFFFFF): the checksum MySQL and MariaDB append to every event when
/// `binlog_checksum=CRC32` (`my_checksum` in `mysys/checksum.cc` calls zlib's `crc32`).
///
/// Every byte of the binlog goes through it, so it works eight bytes at a time ("slicing-by-8",
/// Kounavis and Berry, Intel 2005): table `k` holds the CRC of a byte followed by `k` zero
/// bytes, so one step folds a whole 64-bit word with eight independent table lookups instead
/// of eight dependent ones.
public enum CRC32 {
    /// Eight tables of 256 entries, back to back: `tables[k * 256 + b]`.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            tables[index] = crc
        }
        for index in 0..<256 {
            for slice in 1..<8 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The checksum of `bytes`, continuing from `crc` (the checksum of the bytes before them;
    /// 0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = ~crc
        tables.withUnsafeBufferPointer { table in
            let count = bytes.count
            var index = 0
            while count - index >= 8 {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    ^ UInt64(value)
                // Every index is masked to 0...255 within its table.
                let low = table[7 * 256 + Int(word & 0xFF)] ^ table[6 * 256 + Int(word >> 8 & 0xFF)]
                    ^ table[5 * 256 + Int(word >> 16 & 0xFF)] ^ table[4 * 256 + Int(word >> 24 & 0xFF)]
                let high = table[3 * 256 + Int(word >> 32 & 0xFF)] ^ table[2 * 256 + Int(word >> 40 & 0xFF)]
                    ^ table[256 + Int(word >> 48 & 0xFF)] ^ table[Int(word >> 56)]
                value = low ^ high
                index += 8
            }
            while index < count {
                value = table[Int((value ^ UInt32(bytes[index])) & 0xFF)] ^ (value >> 8)
                index += 1
            }
        }
        return ~value
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        let contiguous = Array(bytes)
        return contiguous.withUnsafeBytes { checksum($0) }
    }
}
