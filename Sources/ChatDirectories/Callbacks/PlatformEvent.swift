import Connectors

/// What one of a platform's contact events says changed: ids only (the platforms send no
/// object, or one too thin to map), so the stream fetches each subject and applies what it
/// finds. A subject that is gone is removed.
public struct PlatformEvent: Sendable, Hashable {
    /// What changed.
    public enum Subject: Sendable, Hashable {
        /// A user, by the platform's user id (DingTalk `userid`, WeCom `UserID`, Feishu `user_id`
        /// or the id the source config maps).
        case user(String)
        /// A department, by the platform's department id.
        case department(String)
    }

    /// How it changed.
    public enum Change: Sendable, Hashable {
        /// Created or changed (moved, renamed, its departments changed): fetch and apply.
        case upserted
        /// Left the organisation or deleted: remove (or deactivate, as the pipeline's
        /// `onDelete` says) without fetching.
        case removed
    }

    /// What makes two deliveries of one event equal: the platform's event id where it gives
    /// one (Feishu `header.event_id`, DingTalk's `EventId` or the signed payload's digest),
    /// else a digest of the decrypted payload (WeCom). Duplicates are dropped by it.
    public var id: String
    /// The platform's name for the event (`user_add_org`, `update_user`,
    /// `contact.user.updated_v3`), for logs.
    public var type: String
    public var change: Change
    /// DingTalk lists several users or departments in one event; the others name one.
    public var subjects: [Subject]

    public init(id: String, type: String, change: Change, subjects: [Subject]) {
        self.id = id
        self.type = type
        self.change = change
        self.subjects = subjects
    }
}

/// One callback request opened by its platform's rules: the answer it expects, and the events
/// it carried (none for a URL check).
public struct OpenedCallback: Sendable {
    public var answer: CallbackAnswer
    public var events: [PlatformEvent]

    public init(answer: CallbackAnswer, events: [PlatformEvent]) {
        self.answer = answer
        self.events = events
    }
}

/// Why a callback request was refused: the answer's status and a reason that names no secret
/// and quotes nothing the sender sent unescaped.
public struct CallbackRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400 malformed, 401 not signed by the platform (signature, token, decryption), 403 the
    /// wrong app or organisation (a receive id or app id that is not the configured one).
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "callback refused (HTTP \(status)): \(reason)" }
}
