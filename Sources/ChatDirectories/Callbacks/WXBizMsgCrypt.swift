import Crypto
import Foundation
import _CryptoExtras

/// WeCom's callback encryption ("WXBizMsgCrypt", 加解密方案说明), which DingTalk's HTTP event
/// push uses too: the EncodingAESKey is 43 characters of base64 that, with "=" appended, decode
/// to the 32-byte AES-256 key, whose first 16 bytes are the IV; the plaintext is 16 random
/// bytes, the message's length as 4 bytes in network order, the message, then the receive id
/// (WeCom: the corp id; DingTalk: the app key), PKCS#7-padded to 32-byte blocks; the signature
/// is the hex SHA-1 of the token, timestamp, nonce and ciphertext, sorted and joined.
public struct WXBizMsgCrypt: Sendable {
    private let token: String
    private let key: SymmetricKey
    private let iv: [UInt8]
    /// The id every message must be encrypted for, and the answers are.
    public let receiveID: String

    /// Nil when `encodingAESKey` is not 43 characters of base64 (``key(encodingAESKey:)``).
    public init?(token: String, encodingAESKey: String, receiveID: String) {
        guard let bytes = Self.key(encodingAESKey: encodingAESKey) else { return nil }
        self.token = token
        self.key = SymmetricKey(data: bytes)
        self.iv = Array(bytes.prefix(16))
        self.receiveID = receiveID
    }

    /// The 32 key bytes an EncodingAESKey stands for, or nil when it is not 43 characters of the
    /// base64 alphabet ("EncodingAESKey长度固定为43个字符，从a-z,A-Z,0-9共62个字符中选取").
    public static func key(encodingAESKey: String) -> [UInt8]? {
        let text = Array(encodingAESKey.utf8)
        guard text.count == 43, text.allSatisfy(CallbackBytes.isBase64Letter),
            let data = Data(base64Encoded: encodingAESKey + "="), data.count == 32
        else { return nil }
        return Array(data)
    }

    /// The hex SHA-1 of the four values sorted (by their bytes, as the reference code's string
    /// sort does for the ASCII they hold) and joined.
    public func signature(timestamp: String, nonce: String, encrypted: String) -> String {
        let joined = [token, timestamp, nonce, encrypted].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined()
        return CallbackBytes.hex(Insecure.SHA1.hash(data: Array(joined.utf8)))
    }

    /// Whether `signature` is the request's, compared in constant time.
    public func verify(signature: String, timestamp: String, nonce: String, encrypted: String) -> Bool {
        CallbackBytes.constantTimeEqual(
            Array(signature.lowercased().utf8), Array(self.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted).utf8))
    }

    /// The message `encrypted` carries. A ciphertext that is not base64, not whole blocks, or
    /// whose padding or length is wrong is refused with 401 (it was not made with this key);
    /// one encrypted for another receive id with 403.
    public func decrypt(_ encrypted: String) throws(CallbackRefusal) -> [UInt8] {
        guard let data = Data(base64Encoded: encrypted), !data.isEmpty, data.count % 16 == 0 else {
            throw CallbackRefusal(status: 401, reason: "the ciphertext is not base64 of whole AES blocks")
        }
        let plain: [UInt8]
        do {
            plain = Array(try AES._CBC.decrypt(data, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw CallbackRefusal(status: 401, reason: "the ciphertext does not decrypt")
        }
        guard let unpadded = CallbackBytes.pkcs7Unpad(plain, block: 32) else {
            throw CallbackRefusal(status: 401, reason: "the plaintext's padding is wrong (not encrypted with the configured key)")
        }
        guard unpadded.count >= 20 else {
            throw CallbackRefusal(status: 401, reason: "the plaintext is too short")
        }
        let length = unpadded[16..<20].reduce(0) { $0 << 8 | Int($1) }
        guard length <= unpadded.count - 20 else {
            throw CallbackRefusal(status: 401, reason: "the plaintext's message length runs past its end")
        }
        let receiver = unpadded[(20 + length)...]
        // Receive ids (a corp id, a suite id, an app key) are short runs of letters, digits,
        // `_` and `-`: anything else behind the message means its length prefix is wrong, and
        // the bytes there are the message's own, not to be quoted.
        let looksLikeAnID =
            (1...64).contains(receiver.count)
            && receiver.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
                    || byte == 0x2D
            }
        guard looksLikeAnID || receiver.elementsEqual(receiveID.utf8) else {
            throw CallbackRefusal(status: 401, reason: "the plaintext's message length does not end at a receive id")
        }
        guard receiver.elementsEqual(receiveID.utf8) else {
            throw CallbackRefusal(
                status: 403,
                reason: "the message is encrypted for receive id \(PlatformText.safe(String(decoding: receiver, as: UTF8.self))), "
                    + "not the configured one")
        }
        return Array(unpadded[20..<(20 + length)])
    }

    /// `message` encrypted for ``receiveID`` after 16 bytes from `random`, as base64.
    public func encrypt(_ message: [UInt8], random: [UInt8]) -> String {
        precondition(random.count == 16, "WXBizMsgCrypt takes 16 random bytes")
        let count = UInt32(message.count)
        var plain = random + [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        plain += message + Array(receiveID.utf8)
        do {
            let padded = CallbackBytes.pkcs7Pad(plain, block: 32)
            return try AES._CBC.encrypt(padded, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true).base64EncodedString()
        } catch {
            // A 32-byte key, a 16-byte IV and whole blocks: BoringSSL has nothing to refuse.
            preconditionFailure("AES-256-CBC refused a well-formed input: \(error)")
        }
    }
}
