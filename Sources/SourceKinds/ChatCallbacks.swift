import ChatDirectories
import Daemon

/// A chat directory's event callbacks, wired as the daemon runs them: one inbox per pipeline,
/// which the pipeline's receiver (registered in the daemon's hub, served at
/// `/callbacks/<pipeline>`) fills and the connector's stream empties.
enum ChatCallbacks {
    /// The stream's wiring, with the receiver registered; nil when the source has no
    /// `callback:` block or the command only looks (no hub).
    /// - Parameters:
    ///   - platform: the platform's name, for logs.
    ///   - endpoint: the platform's rules for its requests; nil when the source has no
    ///     `callback:` block.
    static func wiring(
        _ context: SourceKind.Context, platform: String,
        endpoint: (any CallbackEndpoint)?
    ) -> CallbackWiring? {
        guard let endpoint, let hub = context.callbacks else { return nil }
        let inbox = CallbackInbox()
        hub.register(
            ChatCallbackReceiver(platform: platform, endpoint: endpoint, deliver: inbox.deliver, logger: context.logger),
            pipeline: context.pipeline.name)
        return CallbackWiring(
            inbox: inbox, onDelete: context.pipeline.onDelete, pipeline: context.pipeline.name,
            targetReader: context.targetReader)
    }
}

/// A `callback:` block whose key the endpoint refuses; the configuration's loading refuses it
/// first, so this is reached only by a configuration made in code.
struct UnusableCallbackKey: Error, CustomStringConvertible {
    var keyPath: String
    var description: String {
        "\(keyPath).callback: the AES key is not 43 characters of base64 (copy it from the platform's console)"
    }
}
