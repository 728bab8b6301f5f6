import Foundation

/// Byte helpers the callback schemes share: hex, constant-time comparison, PKCS#7.
enum CallbackBytes {
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Equal lengths and bytes, in a time that depends on the lengths only: a signature compared
    /// byte by byte with an early exit tells an attacker how much of a forgery was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func isBase64Letter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B
            || byte == 0x2F
    }

    static func pkcs7Pad(_ bytes: [UInt8], block: Int) -> [UInt8] {
        let count = block - bytes.count % block
        return bytes + [UInt8](repeating: UInt8(count), count: count)
    }

    /// `bytes` without its padding, or nil unless it ends in n bytes of value n, 1 ≤ n ≤ block:
    /// checked strictly, so a wrong key is refused rather than read as garbage.
    static func pkcs7Unpad(_ bytes: [UInt8], block: Int) -> [UInt8]? {
        guard let last = bytes.last else { return nil }
        let count = Int(last)
        guard count >= 1, count <= block, count <= bytes.count, bytes.suffix(count).allSatisfy({ $0 == last }) else {
            return nil
        }
        return Array(bytes.dropLast(count))
    }
}
