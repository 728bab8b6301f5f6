import Config

/// Reading a callback block's secrets: each from the environment (`${VAR}`), never the file.
enum CallbackSecret {
    /// The secret `node` holds, or nil after a report naming the key and an example variable;
    /// the message never repeats what the file wrote.
    static func read(_ node: ConfigNode?, key: String, variable: String) -> String? {
        PlatformBlock.secret(node, key: key, variable: variable)
    }

    /// An EncodingAESKey read from `node`: 43 characters of base64, else reported.
    static func aesKey(_ node: ConfigNode?, key: String, variable: String, console: String) -> String? {
        guard let value = read(node, key: key, variable: variable) else { return nil }
        guard WXBizMsgCrypt.key(encodingAESKey: value) != nil else {
            node?.report(
                "is not an EncodingAESKey: it has 43 characters of letters and digits (\(console)); the value is not shown")
            return nil
        }
        return value
    }
}
