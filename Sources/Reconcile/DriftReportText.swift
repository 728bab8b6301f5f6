import SCIM

/// A drift report as people read it: what `scimsync reconcile` prints under each pipeline's
/// summary line, the same for a dry run and a real pass, so that both tell the same story.
extension DriftReport {
    /// The lines under the summary line: the repair counts by kind, the unmanaged rows left
    /// alone, the differences listed, and how many found differences the listing leaves out.
    public var detailLines: [String] {
        var lines: [String] = []
        let counts = repairs.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map { "\($0.key.rawValue) \($0.value)" }
        if !counts.isEmpty { lines.append("  " + counts.joined(separator: ", ")) }
        if notApplied > 0 {
            lines.append(
                "  \(Self.counted(notApplied, "repair")) not applied: refused by the target (quarantined: `scimsync status` "
                    + "lists them with the reason)")
        }
        if unreadable > 0 {
            lines.append(
                "  \(Self.counted(unreadable, "source row")) the mapping cannot convert: left as the target has them; fix them at the source")
        }
        if waiting > 0 {
            lines.append("  \(Self.counted(waiting, "repair")) waiting for a row the target lacks (parked: applied when it arrives)")
        }
        if let unmanagedLine { lines.append(unmanagedLine) }
        lines += differences.map { "  " + $0.text }
        if let notListedLine { lines.append(notListedLine) }
        return lines
    }

    /// How many rows are left alone, by kind, and why; nil when there are none. The hint is
    /// what `adopt: true` really does: it takes over rows the source has too (matched by id);
    /// a target row the source lacks and scimsync did not create is never touched.
    public var unmanagedLine: String? {
        guard unmanagedRows > 0 else { return nil }
        let kinds = unmanaged.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map { "\($0.key): \($0.value)" }
        return "  \(Self.counted(unmanagedRows, "unmanaged row")) left alone (\(kinds.joined(separator: ", "))): "
            + "not created by scimsync; `adopt: true` takes over those the source also has (matched by id)"
    }

    /// What the listing leaves out, counted against what it shows; nil when it shows every
    /// difference found. "More" only follows a listing that shows some.
    public var notListedLine: String? {
        let hidden = differenceCount - differences.count
        guard hidden > 0 else { return nil }
        if differences.isEmpty {
            return "  (\(Self.counted(hidden, "difference")) found, none listed; --details N lists the first N)"
        }
        return "  (\(hidden) more \(hidden == 1 ? "difference" : "differences") not listed; --details N lists the first N)"
    }

    /// `count` and `noun`, the noun in the plural unless the count is one.
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

extension Difference {
    /// One line of a report: the resource, what differs and, for an attribute, both values.
    public var text: String {
        var line = "\(resource) \(id): "
        if let attribute {
            if !["attribute", "parent"].contains(change) { line += change + ", " }
            line += "\(attribute): source \(Self.quoted(source)), target \(Self.quoted(target))"
        } else {
            line += change
        }
        if !managed { line += " (unmanaged)" }
        return line
    }

    /// A value as a line shows it: from a source or a target anyone who edits the directory
    /// writes to, so escaped (a line break or a terminal escape must not forge a line) and cut.
    private static func quoted(_ value: String?) -> String {
        value.map { "\"\(LogText.safe($0, limit: 200))\"" } ?? "none"
    }
}
