import ArgumentParser

/// The `scimsync` command line.
@main
struct Scimsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scimsync",
        abstract: "Replicate a SQL directory (users, groups, memberships) as SCIM, change by change.",
        version: ScimsyncVersion.current,
        subcommands: [
            Check.self, Run.self, Serve.self, Tail.self, Status.self, InitTarget.self, ReconcileCommand.self, Approve.self,
            Explain.self, FeedCommand.self,
        ]
    )

    /// ArgumentParser's own `main`, after ``LostOutput/check()`` is installed: a command
    /// whose output could not be written (a full disk, a closed descriptor) does not exit 0.
    static func main() async {
        LostOutput.check()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
