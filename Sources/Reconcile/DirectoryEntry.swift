import Directory
import SCIM

/// A user or group as one side of a reconciliation read it: its id, the resource its layout
/// maps the row to, and for groups the parent id.
public struct DirectoryEntry: Sendable, Hashable {
    public var id: String
    public var resource: SCIMResource
    public var parentID: String?

    public init(id: String, resource: SCIMResource, parentID: String? = nil) {
        self.id = id
        self.resource = resource
        self.parentID = parentID
    }
}
