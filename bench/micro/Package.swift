// swift-tools-version: 6.1
// Micro-benchmarks of scimsync's hot paths with ordo-one/benchmark:
//
//   cd bench/micro && swift package benchmark            # every benchmark
//   cd bench/micro && swift package benchmark --filter 'binlog.*'
//
// A package of its own, depending on the main one by path, so that `swift build` and
// `swift test` of the main package (and CI) never build the benchmark tooling.
import Foundation
import PackageDescription

// A path dependency is known by its directory's name: whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "scimsync-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Micro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ScimsyncCore", package: root),
            ],
            path: "Benchmarks/Micro",
            resources: [.copy("binlog.000001")],
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
