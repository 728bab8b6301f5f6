import Directory
import MicroFixtures

// The mapper benchmark's work as a plain program, for instruction and allocation counts
// (valgrind's callgrind and dhat) and whole-process timings:
//
//   mapper-loop [ROUNDS]           maps the benchmark's batch of 1,000 user updates ROUNDS
//                                  times (default 100) and prints how many operations came out
//   mapper-loop ROUNDS inserts     a first load's mapping instead: 1,000 inserted source rows
//                                  to create operations (SCIM resources), and each resource to
//                                  the target table's row, ROUNDS times
let arguments = CommandLine.arguments.dropFirst()
let rounds = arguments.first.flatMap { Int($0) } ?? 100
let layouts = try exampleLayouts()
let mapper = ChangeMapper(layout: layouts.source, onDelete: .deactivate)
if arguments.dropFirst().first == "inserts" {
    let batch = userInserts(count: 1000)
    let target = layouts.target.userMapper
    // As bench/initial-load's PostgreSQL target (scimsync init-target) declares them.
    let columnTypes = target.columnTypes(fromSQLTypes: [
        "id": "character varying", "login": "character varying", "given_name": "character varying",
        "family_name": "character varying", "mail": "character varying", "title": "character varying",
        "enabled": "boolean", "employee_no": "character varying",
    ])
    // Looked up once for the table, as a SQL target does.
    let columnTypeList = target.columnTypeList(columnTypes)
    var values = 0
    for _ in 0..<rounds {
        for op in try mapper.ops(for: batch) {
            guard case .create(_, let resource) = op else { continue }
            values += try target.row(from: resource, columnTypes: columnTypeList).values.count
        }
    }
    print("\(rounds) rounds of \(batch.changes.count) inserts: \(values) target values")
} else {
    let batch = userUpdates(count: 1000)
    var operations = 0
    for _ in 0..<rounds {
        operations += try mapper.ops(for: batch).count
    }
    print("\(rounds) rounds of \(batch.changes.count) updates: \(operations) operations")
}
