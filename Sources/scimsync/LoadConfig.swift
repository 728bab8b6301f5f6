import ArgumentParser
import Config
import Foundation
import TargetKinds
import SourceKinds

/// Loads the configuration a command was given; an invalid file prints every problem
/// (`file: key.path: …`) on standard error and exits 2, as every command documents.
func loadConfig(_ path: String) throws -> ScimsyncConfig {
    do {
        return try ConfigLoader.load(path: path, kinds: configKinds)
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

/// The configuration blocks this build's source and target kinds decode themselves.
public let configKinds = SourceKinds.registry.configKinds + TargetKinds.registry.configKinds
