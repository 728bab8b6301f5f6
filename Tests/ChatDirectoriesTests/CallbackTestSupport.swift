import ChatDirectories
import Connectors
import Foundation
import Testing

/// What the callback endpoints' tests share: refusals checked for their status and for naming
/// no secret, and a fixed random source.
enum CallbackTestSupport {
    /// The secrets every test configures; no refusal's reason may hold one.
    static let secrets = [CallbackVectors.token, CallbackVectors.aesKey, CallbackVectors.feishuEncryptKey,
        CallbackVectors.feishuVerificationToken]

    @Sendable static func fixedRandom(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 + 1) } }

    /// The refusal `open` throws, or nil (recorded as an issue) when it opens.
    static func refusal(
        _ open: () throws(CallbackRefusal) -> OpenedCallback, sourceLocation: SourceLocation = #_sourceLocation
    ) -> CallbackRefusal? {
        do throws(CallbackRefusal) {
            let opened = try open()
            Issue.record("opened, answering \(opened.answer.status)", sourceLocation: sourceLocation)
            return nil
        } catch {
            for secret in secrets where error.reason.contains(secret) {
                Issue.record("the reason names a secret: \(error.reason)", sourceLocation: sourceLocation)
            }
            return error
        }
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }
}
