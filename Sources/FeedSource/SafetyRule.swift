import Foundation

/// One uploaded file as the safety rule and the run log see it.
public struct FeedFileInfo: Sendable, Hashable, Codable {
    public var name: String
    public var size: Int64
    /// SHA-256 of the file's bytes, hex.
    public var digest: String
    /// The records read from it (lines, elements or objects that made a record, whether or
    /// not they then mapped); nil before it is read, and for runs stored before it was kept.
    public var records: Int?

    public init(name: String, size: Int64, digest: String, records: Int? = nil) {
        self.name = name
        self.size = size
        self.digest = digest
        self.records = records
    }
}

/// Whether a run may apply without a person looking at it first.
///
/// A feed's export goes wrong in ways that look like mass departures: a truncated file, a
/// missing file, a filter left on in the HR system. Blocking half the organisation because
/// of that is far worse than waiting a day, so a run applies by itself only when it looks like
/// the last complete one: the same file names, and each file's size and number of records
/// within `ratio` of the same file's then (either way). Otherwise it stays `ready` with the
/// reason, until approved. The records matter as much as the bytes: a file of the usual size
/// that reads as no records (line breaks or a charset the reader does not take) would block
/// everyone in it.
public struct SafetyRule: Sendable, Hashable {
    /// The largest factor a file may grow or shrink by (1.1: 10% either way).
    public var ratio: Double
    /// Whether the first run (no complete run before it) waits for a person.
    public var firstRunNeedsApproval: Bool

    public init(ratio: Double = 1.1, firstRunNeedsApproval: Bool = true) {
        precondition(ratio >= 1, "the ratio is a factor of at least 1")
        self.ratio = ratio
        self.firstRunNeedsApproval = firstRunNeedsApproval
    }

    /// What the rule says about a run of `files`, compared with the previous complete run
    /// (its number and files), if there is one.
    public func decide(files: [FeedFileInfo], previous: (run: Int64, files: [FeedFileInfo])?) -> SafetyDecision {
        guard let previous else {
            return firstRunNeedsApproval
                ? .hold(reason: "this is the first run: nothing to compare it with, so it waits for approval") : .apply
        }
        let names = Set(files.map(\.name))
        let before = Set(previous.files.map(\.name))
        if names != before {
            var parts: [String] = []
            let added = names.subtracting(before).sorted()
            let missing = before.subtracting(names).sorted()
            if !added.isEmpty {
                parts.append("\(added.joined(separator: ", ")) \(added.count == 1 ? "is" : "are") new")
            }
            if !missing.isEmpty {
                parts.append("\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing")
            }
            return .hold(reason: "the files differ from run \(previous.run): \(parts.joined(separator: "; "))")
        }
        var reasons: [String] = []
        for file in files.sorted(by: { $0.name < $1.name }) {
            guard let old = previous.files.first(where: { $0.name == file.name }) else { continue }
            let (new, was) = (Double(file.size), Double(old.size))
            if was == 0, new == 0 { continue }
            if was == 0 || new == 0 || new > was * ratio || was > new * ratio {
                reasons.append(
                    "\(file.name) is \(Self.change(from: old.size, to: file.size)) than in run \(previous.run) (\(file.size) bytes, was \(old.size))"
                )
                continue
            }
            if let records = file.records, let before = old.records, !(records == 0 && before == 0) {
                let (now, then) = (Double(records), Double(before))
                if then == 0 || now == 0 || now > then * ratio || then > now * ratio {
                    reasons.append(
                        "\(file.name) has \(Self.change(from: Int64(before), to: Int64(records), fewer: "fewer", more: "more")) records than in run \(previous.run) (\(records), was \(before))"
                    )
                }
            }
        }
        return reasons.isEmpty ? .apply : .hold(reason: reasons.joined(separator: "; "))
    }

    /// `30% smaller`, `25% larger`: the change relative to the earlier size, rounded.
    static func change(from old: Int64, to new: Int64, fewer: String = "smaller", more: String = "larger") -> String {
        guard old > 0 else { return more }
        let percent = (abs(Double(new - old)) / Double(old) * 100).rounded()
        return "\(Int(percent))% \(new < old ? fewer : more)"
    }
}

/// The safety rule's answer.
public enum SafetyDecision: Sendable, Hashable {
    /// The run may start by itself.
    case apply
    /// The run stays `ready` until a person approves it, for this reason.
    case hold(reason: String)
}
