import ChatDirectories
import Foundation
import Testing

/// WeCom's scheme (which DingTalk shares) reads what wechatpy wrote, and its own ciphertexts
/// round-trip; what a wrong key, receive id, padding or length gives is refused.
@Suite struct WXBizMsgCryptTests {
    let crypt = WXBizMsgCrypt(token: CallbackVectors.token, encodingAESKey: CallbackVectors.aesKey, receiveID: CallbackVectors.corpID)!

    @Test func wechatpysCiphertextDecryptsAndItsSignatureVerifies() throws {
        let v = CallbackVectors.self
        #expect(crypt.signature(timestamp: v.wecomEventTimestamp, nonce: v.wecomEventNonce, encrypted: v.wecomEventEncrypt)
            == v.wecomEventSignature)
        #expect(crypt.verify(signature: v.wecomEventSignature.uppercased(), timestamp: v.wecomEventTimestamp,
            nonce: v.wecomEventNonce, encrypted: v.wecomEventEncrypt))
        #expect(!crypt.verify(signature: v.wecomEventSignature, timestamp: "1764806401", nonce: v.wecomEventNonce,
            encrypted: v.wecomEventEncrypt))
        #expect(try crypt.decrypt(v.wecomEventEncrypt) == Array(v.wecomEventMessage.utf8))
        #expect(try crypt.decrypt(v.wecomEchoEncrypt) == Array("5927782489442352469".utf8))
    }

    @Test func itsOwnCiphertextRoundTrips() throws {
        for length in [0, 1, 11, 12, 43, 44, 1000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7) }
            let encrypted = crypt.encrypt(message, random: Array(repeating: 9, count: 16))
            #expect(try crypt.decrypt(encrypted) == message)
        }
    }

    @Test func theKeysShapeIsChecked() {
        #expect(WXBizMsgCrypt.key(encodingAESKey: CallbackVectors.aesKey)?.count == 32)
        #expect(WXBizMsgCrypt.key(encodingAESKey: String(CallbackVectors.aesKey.dropLast())) == nil)
        #expect(WXBizMsgCrypt.key(encodingAESKey: CallbackVectors.aesKey + "A") == nil)
        #expect(WXBizMsgCrypt.key(encodingAESKey: "*" + CallbackVectors.aesKey.dropFirst()) == nil)
        #expect(WXBizMsgCrypt(token: "t", encodingAESKey: "short", receiveID: "x") == nil)
    }

    @Test func anotherReceiveIDIsForbidden() {
        let other = WXBizMsgCrypt(token: CallbackVectors.token, encodingAESKey: CallbackVectors.aesKey, receiveID: "wwother")!
        #expect(throws: CallbackRefusal.self) { try other.decrypt(CallbackVectors.wecomEventEncrypt) }
        do throws(CallbackRefusal) {
            _ = try other.decrypt(CallbackVectors.wecomEventEncrypt)
        } catch {
            #expect(error.status == 403 && error.reason.contains(CallbackVectors.corpID), "\(error)")
        }
    }

    /// A length prefix that ends the message early leaves message text where the receive id
    /// goes: that is a malformed message (401), and its text is not quoted back.
    @Test func aLengthPrefixThatEndsEarlyQuotesNothing() {
        let writer = WXBizMsgCrypt(
            token: CallbackVectors.token, encodingAESKey: CallbackVectors.aesKey, receiveID: "<xml>secret payload</xml>")!
        let encrypted = writer.encrypt([], random: Array(repeating: 9, count: 16))
        do throws(CallbackRefusal) {
            _ = try crypt.decrypt(encrypted)
            Issue.record("a message with a wrong length decrypted")
        } catch {
            #expect(error.status == 401, "\(error)")
            #expect(!error.reason.contains("secret"), "\(error)")
        }
    }

    @Test func badPaddingTruncationAndAnotherKeyAreRefused() throws {
        let otherKey = WXBizMsgCrypt(
            token: CallbackVectors.token, encodingAESKey: String(repeating: "a", count: 43), receiveID: CallbackVectors.corpID)!
        // 16 + 4 + 12 + 18 (the corp id) = 50 bytes, padded with 14 bytes of 14 to 64.
        let encrypted = bytes(crypt.encrypt(Array(repeating: 0x41, count: 12), random: Array(repeating: 0, count: 16)))
        #expect(encrypted.count == 64)
        // CBC: flipping a bit of the next-to-last ciphertext block flips that bit of the last
        // plaintext block, so these change the padding and nothing the scheme reads before it.
        var paddingOutOfRange = encrypted
        paddingOutOfRange[47] ^= 0x40  // the last byte: 14 ^ 0x40 = 78, more than a 32-byte block pads
        var paddingRunBroken = encrypted
        paddingRunBroken[46] ^= 0x01  // the byte before: 14 bytes no longer all 14
        let cases: [(name: String, crypt: WXBizMsgCrypt, text: String)] = [
            ("another key", otherKey, CallbackVectors.wecomEventEncrypt),
            ("padding out of range", crypt, base64(paddingOutOfRange)),
            ("padding run broken", crypt, base64(paddingRunBroken)),
            ("truncated base64", crypt, String(CallbackVectors.wecomEventEncrypt.prefix(30))),
            ("a partial block", crypt, base64(Array(encrypted.dropLast(8)))),
            ("a block short", crypt, base64(Array(encrypted.prefix(16)))),
            ("not base64", crypt, "!!!!"),
            ("empty", crypt, ""),
        ]
        for (name, decrypter, text) in cases {
            do throws(CallbackRefusal) {
                _ = try decrypter.decrypt(text)
                Issue.record("\(name) decrypted")
            } catch {
                #expect(error.status == 401, "\(name): \(error)")
                #expect(!error.reason.contains(CallbackVectors.aesKey) && !error.reason.contains(CallbackVectors.token))
            }
        }
    }

    func bytes(_ text: String) -> [UInt8] { Array(Data(base64Encoded: text)!) }
    func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
