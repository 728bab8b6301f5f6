import Config
import Directory

/// The source layout of config/mariadb-to-sqlite.yaml (the seed tables).
public func exampleLayout() throws -> DirectoryLayout {
    try exampleLayouts().source
}

/// The source layout of ``exampleLayout()`` and the target layout bench/lib/pipeline.sh gives
/// `portal_users` (every attribute the source maps).
public func exampleLayouts() throws -> (source: DirectoryLayout, target: DirectoryLayout) {
    let text = """
        offsets: { path: "offsets.db" }
        pipelines:
          - name: bench
            source:
              mysql: { host: 127.0.0.1, port: 3306, user: u, password: p, database: hr }
              layout:
                users:
                  table: sync_users
                  attributes:
                    id: id
                    userName: username
                    name.givenName: first_name
                    name.familyName: last_name
                    'emails[type eq "work"].value': email
                    title: job_title
                    active: is_active
                    urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: employee_number
                groups:
                  table: sync_groups
                  parent: parent_id
                  attributes: { id: id, displayName: name }
                membership: { table: sync_users_groups_rel, user: user_id, group: group_id }
            target:
              sqlite: { path: "portal.db" }
              layout:
                users:
                  table: portal_users
                  attributes:
                    id: id
                    userName: login
                    name.givenName: given_name
                    name.familyName: family_name
                    'emails[type eq "work"].value': mail
                    title: title
                    active: enabled
                    urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber: employee_no
        """
    let config = try ConfigLoader.parse(text, file: "bench.yaml")
    guard let source = config.pipelines.first?.source.sql?.layout, let target = config.pipelines.first?.target.sql?.layout
    else { fatalError("no layouts") }
    return (source, target)
}

/// `count` inserts of distinct users of ``exampleLayout()``'s users table, in one batch.
public func userInserts(count: Int) -> ChangeBatch {
    let updates = userUpdates(count: count)
    let changes = updates.changes.map { RowChange(table: $0.table, kind: .insert, before: nil, after: $0.after) }
    return ChangeBatch(changes: changes, position: updates.position, commitTime: updates.commitTime)
}

/// `count` updates of distinct users of ``exampleLayout()``'s users table, each changing the
/// family name, in one batch.
public func userUpdates(count: Int) -> ChangeBatch {
    let columns = ["id", "username", "first_name", "last_name", "email", "job_title", "employee_number", "is_active"]
    func row(_ id: Int, family: String) -> Row {
        Row(columns: columns, values: [
            .int(Int64(id)), .text("user\(id)"), .text("Chloé"), .text(family), .text("user\(id)@example.com"),
            .text("Software Engineer"), .text("E\(id)"), .int(1),
        ])
    }
    let changes = (1...count).map { id in
        RowChange(table: "sync_users", kind: .update, before: row(id, family: "Müller"), after: row(id, family: "García"))
    }
    return ChangeBatch(changes: changes, position: .binlog(file: "binlog.000001", offset: 4, gtid: nil), commitTime: 0)
}
