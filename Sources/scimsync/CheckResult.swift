import Connectors

/// The outcome of one preflight check, printed as one line by `scimsync check`.
public struct CheckResult: Sendable, Hashable {
    /// Passed, a warning (works, but not as recommended; does not fail the run), or failed.
    public typealias Status = ConnectorCheck.Status

    public var status: Status
    /// What was checked, e.g. `hr-to-portal source`.
    public var subject: String
    /// What was found; on failure, why and what to change.
    public var detail: String

    public init(_ status: Status, _ subject: String, _ detail: String) {
        self.status = status
        self.subject = subject
        self.detail = detail
    }

    /// `ok    subject: detail`, `warn  ...` or `FAIL  ...`: the status in a fixed-width column so
    /// the lines read as a table.
    public var line: String {
        let label: String
        switch status {
        case .passed: label = "ok  "
        case .warning: label = "warn"
        case .failed: label = "FAIL"
        }
        return "\(label)  \(subject): \(detail)"
    }
}
