/// The version `scimsync --version` prints: the one place it is written.
///
/// A source build says the version being worked towards; `scripts/release` replaces the
/// string literal below with `git describe --tags --always --dirty` for the binary it builds
/// and puts this file back afterwards. A committed file rather than a build-time plugin:
/// SwiftPM runs no script before compiling a target without a build-tool plugin, and a plugin
/// that shells out to git would run in every build, sandboxed, for a string only a release needs.
enum ScimsyncVersion {
    static let current = "0.2.0-dev"
}
