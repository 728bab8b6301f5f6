import Crypto
import Foundation
import _CryptoExtras

/// Feishu's (Lark's) event encryption ("配置 Encrypt Key"): the AES-256 key is the SHA-256 of
/// the Encrypt Key; the body's `encrypt` is base64 of a random 16-byte IV followed by the
/// AES-256-CBC ciphertext of the JSON, PKCS#7-padded to 16 bytes. A request's
/// `X-Lark-Signature` is the hex SHA-256 of timestamp + nonce + Encrypt Key + the body as sent.
public struct LarkCrypt: Sendable {
    private let encryptKey: String
    private let key: SymmetricKey

    public init(encryptKey: String) {
        self.encryptKey = encryptKey
        self.key = SymmetricKey(data: Array(SHA256.hash(data: Array(encryptKey.utf8))))
    }

    /// The hex signature of a request.
    public func signature(timestamp: String, nonce: String, body: [UInt8]) -> String {
        var hash = SHA256()
        hash.update(data: Array((timestamp + nonce + encryptKey).utf8))
        hash.update(data: body)
        return CallbackBytes.hex(hash.finalize())
    }

    /// Whether `signature` is the request's, compared in constant time.
    public func verify(signature: String, timestamp: String, nonce: String, body: [UInt8]) -> Bool {
        CallbackBytes.constantTimeEqual(
            Array(signature.lowercased().utf8), Array(self.signature(timestamp: timestamp, nonce: nonce, body: body).utf8))
    }

    /// The plaintext of `encrypted`, or a refusal (401: not made with this key).
    public func decrypt(_ encrypted: String) throws(CallbackRefusal) -> [UInt8] {
        guard let data = Data(base64Encoded: encrypted), data.count >= 32, data.count % 16 == 0 else {
            throw CallbackRefusal(status: 401, reason: "the ciphertext is not base64 of an IV and whole AES blocks")
        }
        let plain: [UInt8]
        do {
            let iv = try AES._CBC.IV(ivBytes: data.prefix(16))
            plain = Array(try AES._CBC.decrypt(data.dropFirst(16), using: key, iv: iv, noPadding: true))
        } catch {
            throw CallbackRefusal(status: 401, reason: "the ciphertext does not decrypt")
        }
        guard let unpadded = CallbackBytes.pkcs7Unpad(plain, block: 16) else {
            throw CallbackRefusal(status: 401, reason: "the plaintext's padding is wrong (not encrypted with the configured key)")
        }
        return unpadded
    }

    /// `message` encrypted with `iv` (16 bytes), as Feishu sends it: for tests and simulators.
    public func encrypt(_ message: [UInt8], iv: [UInt8]) -> String {
        precondition(iv.count == 16, "AES-CBC takes a 16-byte IV")
        do {
            let cipher = try AES._CBC.encrypt(
                CallbackBytes.pkcs7Pad(message, block: 16), using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
            return (Data(iv) + cipher).base64EncodedString()
        } catch {
            preconditionFailure("AES-256-CBC refused a well-formed input: \(error)")
        }
    }
}
