import Crypto

/// The SHA-256 of what the feed uses of a record, hex-encoded: two uploads of a user with
/// the same digest need no work at all.
///
/// Stable over field order (fields are sorted by name) and over fields the control file does
/// not use (they are left out), but it includes the control file's mapping, so that a changed
/// mapping re-evaluates every user once. Each name and value is length-prefixed, so that no
/// two different records encode alike ("ab"+"c" is not "a"+"bc").
public enum RecordDigest {
    /// The digest of `record` under `control`.
    public static func of(_ record: FeedRecord, control: FeedControl) -> String {
        of(record, fingerprint: control.fingerprint, usedFields: Set(control.usedFields))
    }

    /// The digest of `record` under the control file whose ``FeedControl/fingerprint`` and
    /// used fields are given (worked out once for a whole upload).
    static func of(_ record: FeedRecord, fingerprint: String, usedFields: Set<String>) -> String {
        var hasher = SHA256()
        func add(_ text: String) {
            var text = text
            var count = UInt64(text.utf8.count).bigEndian
            withUnsafeBytes(of: &count) { hasher.update(bufferPointer: $0) }
            text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        add(fingerprint)
        let fields = record.fields.filter { usedFields.contains($0.name) }.sorted { $0.name < $1.name }
        for field in fields {
            add(field.name)
            switch field.value {
            case .text(let text):
                add("t")
                add(text)
            case .list(let list):
                add("l\(list.count)")
                for item in list { add(item) }
            }
        }
        return hex(hasher.finalize())
    }

    /// The SHA-256 of a file's bytes, read in chunks, hex-encoded (run logs record each
    /// uploaded file's).
    public static func ofFile(at path: String) throws(FeedFileError) -> String {
        let file = try ChunkedFile(path: path)
        defer { file.close() }
        var hasher = SHA256()
        while let chunk = try file.next() { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    /// One digest for a set of files (a pattern's): over their names and digests, in name
    /// order.
    public static func ofFileList(_ files: [(name: String, digest: String)]) -> String {
        var hasher = SHA256()
        for file in files.sorted(by: { $0.name < $1.name }) {
            hasher.update(data: Array("\(file.name)\u{0}\(file.digest)\n".utf8))
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension FeedControl {
    /// What of the control file decides how a record becomes a user: the mapping, the
    /// membership field and the managed groups (not the files, which may be renamed freely).
    var fingerprint: String {
        var parts = attributes.map { "a:\($0.pathText)=\($0.field)" }
        if let membership {
            parts.append("m:\(membership.field)|\(membership.naming.rawValue)|\(membership.separator)")
        }
        parts += managedGroups.map { "g:\($0.id)|\($0.displayName ?? "")" }
        parts += requiredFields.map { "r:\($0)" }
        return parts.joined(separator: "\n")
    }
}
