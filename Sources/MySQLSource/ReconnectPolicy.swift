import Connectors

/// How long to wait before reconnecting to a source that went away: the one ``Backoff`` every
/// retry uses.
public typealias ReconnectPolicy = Backoff
