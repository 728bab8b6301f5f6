// swift-tools-version: 6.1
// Micro-benchmarks of scimsync's hot paths with ordo-one/benchmark:
//
//   cd bench/micro && swift package benchmark            # every benchmark
//   cd bench/micro && swift package benchmark --filter 'binlog.*'
//   cd bench/micro && swift build -c release --product mapper-loop   # for callgrind
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
                "MicroFixtures",
            ],
            path: "Benchmarks/Micro",
            resources: [.copy("binlog.000001")],
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The inputs the benchmarks and the profiling programs share.
        .target(
            name: "MicroFixtures",
            dependencies: [.product(name: "ScimsyncCore", package: root)],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The mapper benchmark's work as a plain program, for callgrind and whole-process timings.
        .executableTarget(
            name: "mapper-loop",
            dependencies: [.product(name: "ScimsyncCore", package: root), "MicroFixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
