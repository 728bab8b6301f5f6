import HTTPTypes
import SCIM
import Testing

/// The PATCH forms real clients send, one by one (Microsoft Entra ID, Okta), each checked in
/// the response and in the tables; and member changes that touch only the rows they name.
@Suite("SCIM server: PATCH")
struct SCIMServerPatchTests {
    @Test("a members replace whose members lack a value is a 400 and changes nothing", arguments: [Backend.sqlite, .mariadb, .postgres])
    func replaceMembersWithoutValue(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let ann = try await client.createUser("ann")
            let bob = try await client.createUser("bob")
            let group = try await client.createGroup("eng", members: [ann, bob])
            for value in [#"[{"display":"x"}]"#, "[{}]", #"[{"value":null}]"#, #"{"display":"x"}"#, "{}"] {
                for operation in [
                    #"{"op":"replace","path":"members","value":\#(value)}"#, #"{"op":"replace","value":{"members":\#(value)}}"#,
                ] {
                    let reply = try await client.patch("Groups/\(group)", operation)
                    #expect(reply.status == 400, "\(operation): \(reply.status)")
                    #expect(reply.scimType == "invalidValue", "\(operation)")
                }
            }
            let rows = try fixture.column("SELECT user_id FROM \(fixture.quote(fixture.memberships))")
            #expect(Set(rows) == [ann, bob])
            // An empty list still empties the group (RFC 7644 §3.5.2.3: replace with the list).
            let emptied = try await client.patch("Groups/\(group)", #"{"op":"replace","path":"members","value":[]}"#)
            #expect(emptied.status == 200)
            #expect(try fixture.column("SELECT user_id FROM \(fixture.quote(fixture.memberships))").isEmpty)
        }
    }

    @Test("emails as a string in a PUT or a PATCH replace is a 400 and the stored email stays", arguments: [Backend.sqlite, .mariadb, .postgres])
    func emailsAsAString(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        let users = fixture.quote(fixture.users)
        try await fixture.withClient { client in
            let id = try await client.createUser("ann", mail: "ann@example.com")
            let put = try await client.send(
                .put, "Users/\(id)",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","emails":"new@example.com"}"#)
            #expect(put.status == 400)
            #expect(put.scimType == "invalidValue")
            #expect(put["detail"]?.stringValue?.contains("\"emails\" is multi-valued") == true)
            for operation in [
                #"{"op":"replace","path":"emails","value":"new@example.com"}"#, #"{"op":"replace","value":{"emails":"new@example.com"}}"#,
                #"{"op":"add","path":"emails","value":7}"#,
            ] {
                let reply = try await client.patch("Users/\(id)", operation)
                #expect(reply.status == 400, "\(operation): \(reply.status)")
                #expect(reply.scimType == "invalidValue")
            }
            let posted = try await client.send(
                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob","emails":"b@example.com"}"#)
            #expect(posted.status == 400)
            #expect(try fixture.column("SELECT mail FROM \(users)") == ["ann@example.com"])
        }
    }

    @Test("Entra ID: capitalised ops, path-less value objects, \"False\" booleans, work email by filter", arguments: Backend.allCases)
    func entraUser(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("grace", given: "Grace", family: "Hopper")
            let pathless = try await client.patch(
                "Users/\(id)",
                #"{"op":"Replace","value":{"name.givenName":"Amazing","displayName":"Amazing Grace","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"42"}}"#)
            #expect(pathless.status == 200)
            #expect(pathless["name"]?.objectValue?["givenName"] == "Amazing")
            #expect(pathless["name"]?.objectValue?["familyName"] == "Hopper")
            #expect(pathless["displayName"] == "Amazing Grace")
            let users = fixture.quote(fixture.users)
            #expect(try fixture.column("SELECT employee_no FROM \(users)") == ["42"])

            let inactive = try await client.patch("Users/\(id)", #"{"op":"Replace","path":"active","value":"False"}"#)
            #expect(inactive["active"] == false)
            #expect(try fixture.column("SELECT enabled FROM \(users)").map { $0.lowercased() }.allSatisfy { $0 == "0" || $0 == "false" })

            let mail = try await client.patch(
                "Users/\(id)", #"{"op":"Add","path":"emails[type eq \"work\"].value","value":"grace@example.com"}"#)
            #expect(mail["emails"] == [["type": "work", "value": "grace@example.com"]])
            #expect(try fixture.column("SELECT mail FROM \(users)") == ["grace@example.com"])

            let title = try await client.patch("Users/\(id)", #"{"op":"Add","path":"title","value":"Rear Admiral"}"#)
            #expect(title["title"] == "Rear Admiral")
            let removed = try await client.patch("Users/\(id)", #"{"op":"Remove","path":"title"}"#)
            #expect(removed["title"].isAbsent)
            #expect(try fixture.column("SELECT title FROM \(users)") == ["NULL"])
        }
    }

    @Test("Okta: active replaced through a path-less value", arguments: Backend.allCases)
    func oktaActive(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("heidi")
            let reply = try await client.patch("Users/\(id)", #"{"op":"replace","value":{"active":false}}"#)
            #expect(reply.status == 200)
            #expect(reply["active"] == false)
            let back = try await client.patch("Users/\(id)", #"{"op":"replace","value":{"active":true}}"#)
            #expect(back["active"] == true)
        }
    }

    /// Each attribute form Entra ID and Okta send, applied to a user that has no value for it
    /// yet (created with a userName alone): what the response shows and the row holds.
    @Test("Entra ID and Okta forms on a user with no value yet", arguments: Backend.allCases)
    func formsOnEmptyUsers(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        // (operation, column, stored value, what the response holds at a path)
        let forms: [(String, String, String, @Sendable (Reply) -> Bool)] = [
            (#"{"op":"Add","path":"name.givenName","value":"Ada"}"#, "given_name", "Ada",
             { $0["name"]?.objectValue?["givenName"] == "Ada" }),
            (#"{"op":"Replace","path":"name.familyName","value":"Lovelace"}"#, "family_name", "Lovelace",
             { $0["name"]?.objectValue?["familyName"] == "Lovelace" }),
            (#"{"op":"Replace","path":"displayName","value":"Ada L"}"#, "display_name", "Ada L", { $0["displayName"] == "Ada L" }),
            (#"{"op":"Replace","value":{"name.givenName":"Ada","name.familyName":"King"}}"#, "family_name", "King",
             { $0["name"] == ["givenName": "Ada", "familyName": "King"] }),
            (#"{"op":"Replace","path":"emails[type eq \"work\"].value","value":"ada@example.com"}"#, "mail", "ada@example.com",
             { $0["emails"] == [["type": "work", "value": "ada@example.com"]] }),
            (#"{"op":"Add","path":"emails[type eq \"work\"].value","value":"ada@example.com"}"#, "mail", "ada@example.com",
             { $0["emails"] == [["type": "work", "value": "ada@example.com"]] }),
            (#"{"op":"Add","path":"\#(enterprise):employeeNumber","value":"7"}"#, "employee_no", "7",
             { $0[enterprise]?.objectValue?["employeeNumber"] == "7" }),
            (#"{"op":"Replace","value":{"\#(enterprise):employeeNumber":"8"}}"#, "employee_no", "8",
             { $0[enterprise]?.objectValue?["employeeNumber"] == "8" }),
            (#"{"op":"Replace","path":"externalId","value":"ext-1"}"#, "external_id", "ext-1", { $0["externalId"] == "ext-1" }),
            (#"{"op":"Replace","path":"title","value":"Analyst"}"#, "title", "Analyst", { $0["title"] == "Analyst" }),
            (#"{"op":"Remove","path":"title"}"#, "title", "NULL", { $0["title"].isAbsent }),
            (#"{"op":"Remove","path":"emails[type eq \"work\"].value"}"#, "mail", "NULL", { $0["emails"].isAbsent }),
            // Okta
            (#"{"op":"add","path":"emails","value":[{"value":"ada@example.com","type":"work","primary":true}]}"#, "mail",
             "ada@example.com", { $0["emails"]?.arrayValue?.first?.objectValue?["value"] == "ada@example.com" }),
            (#"{"op":"replace","value":{"name":{"givenName":"Ada","familyName":"Byron"},"emails":[{"value":"ada@example.com","type":"work","primary":true}]}}"#,
             "family_name", "Byron", { $0["name"]?.objectValue?["familyName"] == "Byron" }),
            (#"{"op":"replace","path":"name","value":{"givenName":"Ada"}}"#, "given_name", "Ada",
             { $0["name"] == ["givenName": "Ada"] }),
        ]
        try await fixture.withClient { client in
            let users = fixture.quote(fixture.users)
            for (index, (operation, column, stored, shows)) in forms.enumerated() {
                let created = try await client.send(
                    .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"empty\#(index)"}"#)
                let id = try #require(created["id"]?.stringValue)
                let reply = try await client.patch("Users/\(id)", operation)
                #expect(reply.status == 200, "\(operation): \(reply.json.map { $0.jsonString() } ?? "")")
                #expect(shows(reply), "\(operation): \(reply.json.map { $0.jsonString() } ?? "")")
                let row = try fixture.column("SELECT \(column) FROM \(users) WHERE login = 'empty\(index)'")
                #expect(row == [stored], "\(operation)")
            }
        }
    }

    @Test("read-only and unknown targets are refused with the right scimType", arguments: [Backend.sqlite])
    func refusals(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("ivan")
            let changeID = try await client.patch("Users/\(id)", #"{"op":"replace","path":"id","value":"x"}"#)
            #expect(changeID.status == 400)
            #expect(changeID.scimType == "mutability")
            let groups = try await client.patch("Users/\(id)", #"{"op":"add","path":"groups","value":[{"value":"g"}]}"#)
            #expect(groups.scimType == "mutability")
            let badPath = try await client.patch("Users/\(id)", #"{"op":"replace","path":"name[","value":"x"}"#)
            #expect(badPath.status == 400)
            #expect(badPath.scimType == "invalidPath")
            let badOp = try await client.patch("Users/\(id)", #"{"op":"move","path":"title","value":"x"}"#)
            #expect(badOp.status == 400)
            let taken = try await client.createUser("judy")
            _ = taken
            let clash = try await client.patch("Users/\(id)", #"{"op":"replace","path":"userName","value":"JUDY"}"#)
            #expect(clash.status == 409)
            #expect(try await client.patch("Users/missing", #"{"op":"replace","path":"title","value":"x"}"#).status == 404)
        }
    }

    @Test("member add and remove forms of Entra ID and the RFC", arguments: Backend.allCases)
    func members(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let a = try await client.createUser("a")
            let b = try await client.createUser("b")
            let c = try await client.createUser("c")
            let group = try await client.createGroup("team")
            func members(_ reply: Reply) -> Set<String> {
                Set(reply["members"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue } ?? [])
            }
            let added = try await client.patch("Groups/\(group)", #"{"op":"Add","path":"members","value":[{"value":"\#(a)"},{"value":"\#(b)"},{"value":"\#(c)"}]}"#)
            #expect(added.status == 200)
            #expect(members(added) == [a, b, c])
            // Adding a present member again changes nothing (idempotent).
            #expect(members(try await client.patch("Groups/\(group)", #"{"op":"add","path":"members","value":[{"value":"\#(a)"}]}"#)) == [a, b, c])
            let filtered = try await client.patch("Groups/\(group)", #"{"op":"Remove","path":"members[value eq \"\#(a)\"]"}"#)
            #expect(members(filtered) == [b, c])
            let listed = try await client.patch("Groups/\(group)", #"{"op":"Remove","path":"members","value":[{"value":"\#(b)"}]}"#)
            #expect(members(listed) == [c])
            let renamed = try await client.patch("Groups/\(group)", #"{"op":"Replace","path":"displayName","value":"Team 2"},{"op":"Add","path":"members","value":[{"value":"\#(a)"}]}"#)
            #expect(renamed["displayName"] == "Team 2")
            #expect(members(renamed) == [a, c])
            let replaced = try await client.patch("Groups/\(group)", #"{"op":"replace","path":"members","value":[{"value":"\#(b)"}]}"#)
            #expect(members(replaced) == [b])
            let cleared = try await client.patch("Groups/\(group)", #"{"op":"remove","path":"members"}"#)
            #expect(members(cleared) == [])
            #expect(try fixture.column("SELECT COUNT(*) FROM \(fixture.quote(fixture.memberships))") == ["0"])

            let fake = try await client.patch("Groups/\(group)", #"{"op":"add","path":"members","value":[{"value":"no-such-user"}]}"#)
            #expect(fake.status == 400)
            #expect(fake.scimType == "invalidValue")
        }
    }

    @Test("a member PATCH on a large group writes only the named relation rows", arguments: [Backend.sqlite])
    func touchesOnlyNamedRows(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        let users = fixture.quote(fixture.users)
        let relation = fixture.quote(fixture.memberships)
        let groups = fixture.quote(fixture.groups)
        var statements = ["INSERT INTO \(groups) (id, title) VALUES ('big', 'Big')"]
        statements.append(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                + "INSERT INTO \(users) (id, login) SELECT 'u' || i, 'user' || i FROM n")
        statements.append("INSERT INTO \(relation) (user_id, group_id) SELECT id, 'big' FROM \(users) WHERE id <> 'u1'")
        // An audit of every write the PATCHes make to the relation and the group row.
        statements.append("CREATE TABLE audit_\(fixture.suffix) (what TEXT)")
        statements.append("CREATE TRIGGER ti_\(fixture.suffix) AFTER INSERT ON \(relation) BEGIN INSERT INTO audit_\(fixture.suffix) VALUES ('insert ' || NEW.user_id); END")
        statements.append("CREATE TRIGGER td_\(fixture.suffix) AFTER DELETE ON \(relation) BEGIN INSERT INTO audit_\(fixture.suffix) VALUES ('delete ' || OLD.user_id); END")
        statements.append("CREATE TRIGGER tu_\(fixture.suffix) AFTER UPDATE ON \(groups) BEGIN INSERT INTO audit_\(fixture.suffix) VALUES ('update group'); END")
        for statement in statements { _ = try fixture.query(statement) }
        try await fixture.withClient { client in
            let add = try await client.patch("Groups/big?excludedAttributes=members", #"{"op":"Add","path":"members","value":[{"value":"u1"}]}"#)
            #expect(add.status == 200)
            #expect(add["members"].isAbsent)
            let remove = try await client.patch("Groups/big?excludedAttributes=members", #"{"op":"Remove","path":"members[value eq \"u2\"]"}"#)
            #expect(remove.status == 200)
            let list = try await client.send(.get, "Groups?excludedAttributes=members")
            #expect(list.resources.count == 1)
        }
        #expect(try fixture.column("SELECT what FROM audit_\(fixture.suffix)") == ["insert u1", "delete u2"])
        #expect(try fixture.column("SELECT COUNT(*) FROM \(relation)") == ["4999"])
    }
}
