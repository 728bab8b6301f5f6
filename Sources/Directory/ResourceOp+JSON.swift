import SCIM

/// A ``ResourceOp`` as JSON, for keeping operations that wait (parked operations) in the
/// offset store and reading them back unchanged:
///
/// ```
/// {"op": "create", "kind": "User", "resource": {…}}
/// {"op": "patch", "kind": "Group", "id": "g1", "operations": [{"op": "replace", "path": "displayName", "value": "R&D"}]}
/// {"op": "delete", "kind": "User", "id": "u1"}
/// {"op": "deactivate", "userID": "u1"}            (and "reactivate")
/// {"op": "addMember", "groupID": "g1", "userID": "u1"}   (and "removeMember")
/// {"op": "moveParent", "groupID": "g2", "parentID": "g1"}  (parentID null: to the root)
/// ```
///
/// PATCH values are kept as they are (they were normalised when the operation was made),
/// paths as their printed form, which parses back to the same path.
extension ResourceOp {
    public var json: SCIMValue {
        var object: SCIMObject
        switch self {
        case .create(let kind, let resource):
            object = ["op": "create", "kind": .string(kind.rawValue), "resource": .object(resource.attributes)]
        case .patch(let kind, let id, let operations):
            object = [
                "op": "patch", "kind": .string(kind.rawValue), "id": .string(id),
                "operations": .array(operations.map(\.json)),
            ]
        case .delete(let kind, let id):
            object = ["op": "delete", "kind": .string(kind.rawValue), "id": .string(id)]
        case .deactivate(let user):
            object = ["op": "deactivate", "userID": .string(user)]
        case .reactivate(let user):
            object = ["op": "reactivate", "userID": .string(user)]
        case .addMember(let group, let user):
            object = ["op": "addMember", "groupID": .string(group), "userID": .string(user)]
        case .removeMember(let group, let user):
            object = ["op": "removeMember", "groupID": .string(group), "userID": .string(user)]
        case .moveParent(let group, let parent):
            object = ["op": "moveParent", "groupID": .string(group), "parentID": parent.map { .string($0) } ?? .null]
        }
        return .object(object)
    }

    /// The operation ``json`` wrote.
    ///
    /// - Throws: ``ResourceOpJSONError`` naming the member that is missing or malformed.
    public init(json: SCIMValue) throws(ResourceOpJSONError) {
        guard let object = json.objectValue else { throw .notAnObject }
        func string(_ name: String) throws(ResourceOpJSONError) -> String {
            guard let value = object[name]?.stringValue else { throw .member(name) }
            return value
        }
        func kind() throws(ResourceOpJSONError) -> ResourceKind {
            guard let kind = ResourceKind(rawValue: try string("kind")) else { throw .member("kind") }
            return kind
        }
        switch try string("op") {
        case "create":
            guard let resource = object["resource"]?.objectValue else { throw .member("resource") }
            self = .create(try kind(), SCIMResource(resource))
        case "patch":
            guard let list = object["operations"]?.arrayValue else { throw .member("operations") }
            var operations: [PatchOperation] = []
            for element in list {
                guard let operation = element.objectValue, let name = operation["op"]?.stringValue,
                    let op = PatchOperation.Kind(rawValue: name)
                else { throw .member("operations") }
                var path: AttributePath?
                if let text = operation["path"]?.stringValue {
                    do {
                        path = try AttributePath.parse(text)
                    } catch {
                        throw .member("operations")
                    }
                }
                let value = operation["value"].flatMap { $0.isNull ? nil : $0 }
                operations.append(PatchOperation(op: op, path: path, value: value))
            }
            self = .patch(try kind(), id: try string("id"), operations)
        case "delete": self = .delete(try kind(), id: try string("id"))
        case "deactivate": self = .deactivate(userID: try string("userID"))
        case "reactivate": self = .reactivate(userID: try string("userID"))
        case "addMember": self = .addMember(groupID: try string("groupID"), userID: try string("userID"))
        case "removeMember": self = .removeMember(groupID: try string("groupID"), userID: try string("userID"))
        case "moveParent":
            let parent: String?
            switch object["parentID"] {
            case nil, .null?: parent = nil
            case .string(let id)?: parent = id
            case .bool?, .integer?, .decimal?, .array?, .object?: throw .member("parentID")
            }
            self = .moveParent(groupID: try string("groupID"), parentID: parent)
        default:
            throw .member("op")
        }
    }
}

/// Why stored JSON is not a ``ResourceOp``; names the member, never a value.
public enum ResourceOpJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAnObject
    case member(String)

    public var description: String {
        switch self {
        case .notAnObject: "a stored operation is not a JSON object"
        case .member(let name): "a stored operation has no valid \"\(name)\" member"
        }
    }
}
