import Directory
import MicroFixtures

// The mapper benchmark's work as a plain program, for instruction and allocation counts
// (valgrind's callgrind and dhat) and whole-process timings:
//
//   mapper-loop [ROUNDS]    maps the benchmark's batch of 1,000 user updates ROUNDS times
//                           (default 100) and prints how many operations came out.
let rounds = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 100
let mapper = ChangeMapper(layout: try exampleLayout(), onDelete: .deactivate)
let batch = userUpdates(count: 1000)
var operations = 0
for _ in 0..<rounds {
    operations += try mapper.ops(for: batch).count
}
print("\(rounds) rounds of \(batch.changes.count) updates: \(operations) operations")
