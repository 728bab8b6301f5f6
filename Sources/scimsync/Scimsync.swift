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
            try refuseHelpOnAnUnknownCommand(Array(CommandLine.arguments.dropFirst()))
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

    /// `scimsync help NAME…` names commands; ArgumentParser's own `help` prints the top-level
    /// help and exits 0 for a name it does not know, so a mistyped name would look answered.
    static func refuseHelpOnAnUnknownCommand(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var subcommands: [any ParsableCommand.Type] = configuration.subcommands
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            var names: [String] = []
            var found: (any ParsableCommand.Type)?
            for subcommand in subcommands {
                let subcommandName = subcommand.configuration.commandName ?? ""
                names.append(subcommandName)
                if subcommandName == name { found = subcommand }
            }
            guard let found else {
                throw ValidationError(
                    "no command \"\(name)\" to help with; the commands are: \(names.joined(separator: ", "))")
            }
            subcommands = found.configuration.subcommands
        }
    }
}
