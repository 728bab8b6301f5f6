/// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial value and final XOR
/// 0xFFFFFFFF): the checksum MySQL and MariaDB append to every event when
/// `binlog_checksum=CRC32` (`my_checksum` in `mysys/checksum.cc` calls zlib's `crc32`).
///
/// Every byte of the binlog goes through it, so it works sixteen bytes at a time ("slicing-by-N",
/// Kounavis and Berry, Intel 2005): table `k` holds the CRC of a byte followed by `k` zero
/// bytes, so one step folds two 64-bit words with sixteen independent table lookups instead
/// of sixteen dependent ones. The 16 KiB of tables stay in the L1 cache.
public enum CRC32 {
    /// Sixteen tables of 256 entries, back to back: `tables[k * 256 + b]`.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 16 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            tables[index] = crc
        }
        for index in 0..<256 {
            for slice in 1..<16 {
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
            while count - index >= 16 {
                let first = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    ^ UInt64(value)
                let second = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
                // Every index is masked to 0...255 within its table; byte i uses table 15 - i.
                let a = table[15 * 256 + Int(first & 0xFF)] ^ table[14 * 256 + Int(first >> 8 & 0xFF)]
                    ^ table[13 * 256 + Int(first >> 16 & 0xFF)] ^ table[12 * 256 + Int(first >> 24 & 0xFF)]
                let b = table[11 * 256 + Int(first >> 32 & 0xFF)] ^ table[10 * 256 + Int(first >> 40 & 0xFF)]
                    ^ table[9 * 256 + Int(first >> 48 & 0xFF)] ^ table[8 * 256 + Int(first >> 56)]
                let c = table[7 * 256 + Int(second & 0xFF)] ^ table[6 * 256 + Int(second >> 8 & 0xFF)]
                    ^ table[5 * 256 + Int(second >> 16 & 0xFF)] ^ table[4 * 256 + Int(second >> 24 & 0xFF)]
                let d = table[3 * 256 + Int(second >> 32 & 0xFF)] ^ table[2 * 256 + Int(second >> 40 & 0xFF)]
                    ^ table[256 + Int(second >> 48 & 0xFF)] ^ table[Int(second >> 56)]
                value = (a ^ b) ^ (c ^ d)
                index += 16
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
