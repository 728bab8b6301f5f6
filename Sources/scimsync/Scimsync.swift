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
}
