extension SCIMResource {
    /// The enterprise User extension (RFC 7643 §4.3), stored under its schema URN as the key.
    /// Setting it also lists the URN in `schemas` (RFC 7643 §3: extension schemas in use must
    /// be listed); setting nil removes both.
    public var enterpriseUser: EnterpriseUser? {
        get { attributes[SchemaURN.enterpriseUser]?.objectValue.map(EnterpriseUser.init) }
        set {
            attributes[SchemaURN.enterpriseUser] = newValue.map { .object($0.object) }
            var list = schemas
            let listed = list.contains { $0.caseInsensitiveEquals(SchemaURN.enterpriseUser) }
            if newValue != nil && !listed {
                list.append(SchemaURN.enterpriseUser)
                schemas = list
            } else if newValue == nil && listed {
                list.removeAll { $0.caseInsensitiveEquals(SchemaURN.enterpriseUser) }
                schemas = list
            }
        }
    }
}

/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (RFC 7643 §4.3).
public struct EnterpriseUser: Sendable, Hashable {
    public var object: SCIMObject

    public init(_ object: SCIMObject = SCIMObject()) { self.object = object }

    public var employeeNumber: String? {
        get { object.string("employeeNumber") }
        set { object.setString("employeeNumber", newValue) }
    }

    public var costCenter: String? {
        get { object.string("costCenter") }
        set { object.setString("costCenter", newValue) }
    }

    public var organization: String? {
        get { object.string("organization") }
        set { object.setString("organization", newValue) }
    }

    public var division: String? {
        get { object.string("division") }
        set { object.setString("division", newValue) }
    }

    public var department: String? {
        get { object.string("department") }
        set { object.setString("department", newValue) }
    }

    /// `manager`: a complex attribute with `value` (the manager's id), `$ref` and
    /// `displayName`.
    public var manager: Manager? {
        get { object["manager"]?.objectValue.map(Manager.init) }
        set { object["manager"] = newValue.map { .object($0.object) } }
    }

    /// The `manager` sub-attribute of the enterprise extension.
    public struct Manager: Sendable, Hashable {
        public var object: SCIMObject

        public init(_ object: SCIMObject) { self.object = object }

        public init(value: String?, ref: String? = nil, displayName: String? = nil) {
            object = SCIMObject()
            self.value = value
            self.ref = ref
            self.displayName = displayName
        }

        public var value: String? {
            get { object.string("value") }
            set { object.setString("value", newValue) }
        }

        public var ref: String? {
            get { object.string("$ref") }
            set { object.setString("$ref", newValue) }
        }

        /// Read-only on the service provider (RFC 7643 §4.3).
        public var displayName: String? {
            get { object.string("displayName") }
            set { object.setString("displayName", newValue) }
        }
    }
}
