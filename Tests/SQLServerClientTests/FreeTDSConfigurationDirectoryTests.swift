import Foundation
@testable import SQLServerClient
import Testing

/// The configuration file's directory is removed at exit; a process killed before its exit
/// handler leaves it, and the next process that writes one removes it.
@Suite struct FreeTDSConfigurationDirectoryTests {
    @Test func directoriesOfEndedProcessesAreRemovedAndOthersKept() throws {
        let parent = NSTemporaryDirectory() + "scimsync-freetds-sweep-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: parent) }

        // A process that has ended: started, waited for and reaped.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let prefix = FreeTDSConfigurationFile.directoryPrefix
        let names = [
            "ended": "\(prefix)\(ended.processIdentifier)-Ab3dEf",
            "running": "\(prefix)\(getppid())-Ab3dEf",
            "this process": "\(prefix)\(getpid())-Ab3dEf",
            "not a process id": "\(prefix)XXXXXX",
            "a name of its own": "\(prefix)\(ended.processIdentifier)-Ab3dEfG",
        ]
        for name in names.values {
            try FileManager.default.createDirectory(atPath: "\(parent)/\(name)", withIntermediateDirectories: false)
            try "[global]\n".write(toFile: "\(parent)/\(name)/freetds.conf", atomically: false, encoding: .utf8)
        }

        FreeTDSConfigurationFile.removeDirectoriesOfEndedProcesses(in: parent)

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: parent))
        #expect(!left.contains(names["ended"]!))
        for kept in ["running", "this process", "not a process id", "a name of its own"] {
            #expect(left.contains(names[kept]!), "\(kept)")
        }
    }
}
