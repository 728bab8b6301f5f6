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
        of(record, start: start(control.fingerprint), usedFields: usedFields(control))
    }

    /// The fields of `control` a digest takes, in the order it takes them (by name).
    static func usedFields(_ control: FeedControl) -> [String] {
        Array(Set(control.usedFields)).sorted()
    }

    /// A hasher that has taken a control file's ``FeedControl/fingerprint``: every record's
    /// digest begins with it, so an upload works it out once and copies it per record.
    static func start(_ fingerprint: String) -> SHA256 {
        var hasher = SHA256()
        add(fingerprint, to: &hasher)
        return hasher
    }

    /// The digest of `record` under the control file whose ``start(_:)`` and
    /// ``usedFields(_:)`` are given: the record's fields of those names, in that order (a
    /// record names a field once).
    static func of(_ record: FeedRecord, start: SHA256, usedFields: [String]) -> String {
        var hasher = start
        // The record's bytes are gathered first and hashed in one update: an update per name
        // and value cost more than the hashing itself. The bytes are the same either way.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        for name in usedFields {
            guard let value = record[name] else { continue }
            add(name, to: &bytes)
            switch value {
            case .text(let text):
                add("t", to: &bytes)
                add(text, to: &bytes)
            case .list(let list):
                add("l\(list.count)", to: &bytes)
                for item in list { add(item, to: &bytes) }
            }
        }
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hex(hasher.finalize())
    }

    /// `text`, length-prefixed.
    private static func add(_ text: String, to hasher: inout SHA256) {
        var bytes: [UInt8] = []
        add(text, to: &bytes)
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// `text`, length-prefixed: its UTF-8 length as eight bytes, most significant first, then
    /// its UTF-8.
    private static func add(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            withUnsafeBytes(of: UInt64(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
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
        String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { text in
            var count = 0
            for byte in digest {
                text[count] = hexDigit(byte >> 4)
                text[count + 1] = hexDigit(byte & 0xF)
                count += 2
            }
            return count
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x61 + value - 10
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
