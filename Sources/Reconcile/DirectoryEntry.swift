import Directory
import SCIM

/// A user or group as one side of a reconciliation read it: its id, the resource its layout
/// maps the row to, and for groups the parent id.
public struct DirectoryEntry: Sendable, Hashable {
    public var id: String
    public var resource: SCIMResource
    public var parentID: String?
    /// Why a source row could not be mapped (a value that is not UTF-8 text, say), when it
    /// could not: the pass leaves the resource as the target has it and reports it, as the
    /// stream quarantines the row, instead of failing whole.
    public var unreadable: String?

    public init(id: String, resource: SCIMResource, parentID: String? = nil, unreadable: String? = nil) {
        self.id = id
        self.resource = resource
        self.parentID = parentID
        self.unreadable = unreadable
    }
}
