// swift-tools-version: 6.1
import PackageDescription

/// Our own targets build with warnings as errors: "zero warnings" is checked by the compiler,
/// not by reading logs.
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "scimsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "scimsync", targets: ["scimsync"]),
        // For bench/micro (ordo-one/benchmark), a package of its own so that CI's builds skip it.
        .library(name: "ScimsyncCore", targets: ["SCIM", "Directory", "MySQLBinlog", "Config"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.1.1"),
        // SHA-256 for the digests of batch-feed records.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // multipart/form-data uploads of feed files, parsed as they stream in.
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // C libraries from Debian: SQLClients imports the database clients, MySQLBinlog zlib.
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        // zlib's crc32: the checksum of every binlog event (pure computation, no I/O).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // FreeTDS ships no .pc file: its headers are in /usr/include and the module map links sybdb.
        .systemLibrary(name: "CFreeTDS", providers: [.apt(["freetds-dev"])]),

        // Pure modules: no I/O, and no C but zlib's checksum.
        .target(name: "SCIM", swiftSettings: strict),
        .target(name: "Directory", dependencies: ["SCIM"], swiftSettings: strict),
        .target(name: "MySQLBinlog", dependencies: ["Directory", "SCIM", "CZlib"], swiftSettings: strict),

        // The YAML contract: parsing and validation are pure (text and environment in, values out).
        .target(
            name: "Config",
            dependencies: ["SCIM", "Directory", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),

        // I/O edges.
        .target(
            name: "SQLClients",
            dependencies: [
                // SQLiteStore: SQLite's C API, for binding a bulk insert's values without GRDB's
                // conversions.
                "CMariaDB", "CLibPQ", "Directory", "SQLiteStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // SQL Server over TDS 7.4 through FreeTDS's db-lib: the only module that imports CFreeTDS.
        .target(name: "SQLServerClient", dependencies: ["CFreeTDS", "Directory"], swiftSettings: strict),
        // Binlog source I/O: the replication stream's reader thread, reconnection, snapshots.
        .target(
            name: "MySQLSource",
            dependencies: [
                "SQLClients", "MySQLBinlog", "Directory", "Config", "Connectors", "Reconcile", "SQLProbe",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Change-tracking source: polls CHANGETABLE, snapshots, check probe and lag (over SQLServerClient).
        .target(
            name: "SQLServerSource",
            dependencies: [
                "SQLServerClient", "SQLClients", "Directory", "SCIM", "Config", "Connectors", "Reconcile", "SQLProbe",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // `scimsync check` for a SQL database: it answers, and its tables fit a layout.
        .target(
            name: "SQLProbe", dependencies: ["Config", "Connectors", "Directory", "SQLClients", "SQLServerClient"],
            swiftSettings: strict),
        // Client databases as targets: applying batches, reading them back, the first load.
        .target(
            name: "Targets",
            dependencies: [
                "SCIM", "Directory", "SQLClients", "SQLServerClient", "Config", "Connectors", "Reconcile", "SQLProbe",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The seam every source and target kind plugs into (ChangeSource, Target, Backoff); no I/O.
        .target(name: "Connectors", dependencies: ["Directory", "Reconcile"], swiftSettings: strict),
        // The pipeline's lifecycle: a pure state machine, the removal guard, and the shell that
        // runs them over the seam with an injected clock.
        .target(name: "PipelineCore", dependencies: ["Connectors", "Directory", "Reconcile"], swiftSettings: strict),
        // The merge-join diff of reconciliation and its rules, safety limits and reports (no I/O).
        .target(name: "Reconcile", dependencies: ["SCIM", "Directory"], swiftSettings: strict),
        // A full read of a provider or a platform, sorted on disk rather than in memory.
        .target(
            name: "DirectorySpool",
            dependencies: ["SCIM", "Directory", "Reconcile", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // scimsync's own SQLite files (offset store, feed stores): WAL and schema set up safely
        // when several processes open a new file at once.
        .target(
            name: "SQLiteStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for binding values without GRDB's conversions (the journal,
                // the feed's staging, bulk inserts).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .target(
            name: "OffsetStore",
            dependencies: ["SCIM", "Directory", "MySQLBinlog", "SQLiteStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // `scimsync serve`: a SQL directory as a SCIM 2.0 service provider (Hummingbird 2).
        // The limits every HTTP server keeps: header, body and idle timeouts, a connection cap.
        .target(
            name: "HTTPLimits",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SCIMServer",
            dependencies: [
                "SCIM", "Directory", "Targets", "SQLClients", "HTTPLimits",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                // HMAC-SHA256: list cursors are signed, so that only those the server issued are read.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        // A SCIM 2.0 client over async-http-client (auth, retries with backoff, paging), shared by
        // the SCIM push target and the SCIM pull source.
        .target(
            name: "SCIMClient",
            dependencies: [
                "SCIM", "Connectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A SCIM service provider as a target: ResourceOps as SCIM requests, read back for
        // reconciliation.
        .target(
            name: "SCIMTarget",
            dependencies: [
                "SCIM", "Directory", "Config", "SCIMClient", "Connectors", "Reconcile", "DirectorySpool",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Reads a SCIM service provider as a source: paging, capability probe, incremental polls.
        .target(
            name: "SCIMSource",
            dependencies: [
                "SCIM", "Directory", "Config", "SCIMClient", "Connectors", "Reconcile", "DirectorySpool",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Batch-file feeds (uploaded exports as runs): control files, streaming readers, record
        // digests, the run state machine and safety rule, the diff against the previous run and
        // the SQLite store of runs and users. No I/O beyond the files and the store it is given.
        .target(
            name: "FeedSource",
            dependencies: [
                "SCIM", "Directory", "Config", "Connectors", "Reconcile", "SQLiteStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // What people do with feeds: the admin server's upload and run routes, and the JSON
        // views of runs and users that the `feed` commands print too.
        .target(
            name: "FeedAdmin",
            dependencies: [
                "FeedSource", "Daemon", "Config", "SCIM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // DingTalk, WeCom and Feishu directories (one folder each) and what they share: access
        // tokens, request pacing at the platforms' documented rates, platform text made safe.
        .target(
            name: "ChatDirectories",
            dependencies: [
                "SCIM", "Directory", "Config", "Connectors", "Reconcile", "DirectorySpool",
                // The callbacks' signatures (SHA-1, SHA-256) and AES-256-CBC (`_CryptoExtras`).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The source kinds this build reads: the registry the program hands the daemon.
        .target(
            name: "SourceKinds",
            dependencies: [
                "ChatDirectories", "Daemon", "Config", "FeedSource", "MySQLBinlog", "MySQLSource", "SCIMSource", "SQLServerSource",
            ],
            swiftSettings: strict
        ),
        // The target kinds this build writes: the registry the program hands the daemon.
        .target(
            name: "TargetKinds",
            dependencies: [
                "ChatDirectories", "Daemon", "Config", "Directory", "OffsetStore", "Targets", "SCIMTarget",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "Directory", "Config", "OffsetStore", "Reconcile", "Connectors", "PipelineCore", "HTTPLimits", "SCIM",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // What `status`, `explain` and the admin page read: a pipeline's state, one resource explained.
        .target(
            name: "Inspection",
            dependencies: [
                "Config", "Connectors", "Daemon", "Directory", "FeedSource", "OffsetStore", "SCIM", "SCIMClient",
                "SCIMSource", "SCIMTarget", "Targets",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The admin page of `run`: server-rendered HTML over Inspection, behind http.token.
        .target(
            name: "AdminPage",
            dependencies: [
                "Inspection", "Daemon", "Config", "Directory", "OffsetStore", "SCIM", "FeedSource", "Targets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "scimsync",
            dependencies: [
                "Daemon", "SourceKinds", "TargetKinds", "Config", "Connectors", "Reconcile", "OffsetStore", "MySQLSource",
                "SQLClients", "SQLProbe", "SCIM", "SCIMServer", "Targets", "HTTPLimits", "Directory", "FeedSource",
                "FeedAdmin", "Inspection", "AdminPage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // bench/binlog-decode: decodes binlog files as fast as it can.
        .executableTarget(
            name: "scimsync-bench", dependencies: ["MySQLBinlog", "Directory"], path: "bench/Sources/scimsync-bench",
            swiftSettings: strict
        ),

        .testTarget(
            name: "SCIMTests",
            dependencies: ["SCIM", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory", "SCIM"], swiftSettings: strict),
        .testTarget(
            name: "MySQLBinlogTests",
            dependencies: ["MySQLBinlog", "Directory", "SCIM"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConfigTests",
            // The kinds that decode their own blocks, for the example configurations.
            dependencies: ["Config", "Directory", "SCIM", "SCIMSource", "SCIMTarget", "FeedSource", "ChatDirectories"],
            swiftSettings: strict
        ),
        // What the integration tests share: finding the servers scripts/test started.
        .target(
            name: "TestSupport",
            dependencies: [
                "SQLClients", "SQLServerClient", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "SQLClientsTests", dependencies: ["SQLClients", "Directory", "TestSupport"], swiftSettings: strict
        ),
        // Against a TDS server: the peer in scripts/sqlserver-peer, or SCIMSYNC_TEST_SQLSERVER_URL.
        .testTarget(
            name: "SQLServerClientTests", dependencies: ["SQLServerClient", "Directory", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "MySQLSourceTests",
            dependencies: [
                "MySQLSource", "MySQLBinlog", "SQLClients", "Directory", "SCIM", "Connectors", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SQLServerSourceTests",
            dependencies: [
                "SQLServerSource", "SQLServerClient", "Connectors", "Config", "Directory", "SCIM", "Reconcile", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TargetsTests",
            dependencies: ["Targets", "Connectors", "SQLClients", "SQLServerClient", "Directory", "SCIM", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PipelineCoreTests",
            dependencies: ["PipelineCore", "Connectors", "Directory", "SCIM", .product(name: "Clocks", package: "swift-clocks")],
            swiftSettings: strict
        ),
        .testTarget(name: "ConnectorsTests", dependencies: ["Connectors", "Directory", "Reconcile", "SCIM"], swiftSettings: strict),
        // The shared pieces without a server (test clocks); the Feishu source against
        // scripts/feishu-sim, read into SQLite through the daemon's reconciliation.
        .testTarget(
            name: "ChatDirectoriesTests",
            dependencies: [
                "ChatDirectories", "Config", "Connectors", "Daemon", "Directory", "OffsetStore", "Reconcile", "SCIM",
                "SQLClients", "SourceKinds", "TargetKinds", "TestSupport", "scimsync",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // The feed commands and the admin server's feed routes, end to end (no database server).
        .testTarget(
            name: "FeedAdminTests",
            dependencies: [
                "FeedAdmin", "FeedSource", "Daemon", "Config", "TestSupport", "scimsync", "SQLClients",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FeedSourceTests",
            // GRDB: a store in an older schema, made by hand, to migrate.
            dependencies: [
                "FeedSource", "Config", "Directory", "SCIM", "Connectors", "Reconcile", "SQLiteStore", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: strict),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile", "Directory", "SCIM"], swiftSettings: strict),
        .testTarget(
            name: "OffsetStoreTests",
            // GRDB: a second raw connection plays another opener that holds the write lock.
            dependencies: [
                "OffsetStore", "MySQLBinlog", "SQLiteStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SCIMServerTests",
            dependencies: [
                "SCIMServer", "Daemon", "Config", "Directory", "SCIM", "SQLClients", "SQLServerClient", "Targets", "TestSupport",
                "HTTPLimits",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SCIMClientTests",
            dependencies: [
                "SCIMClient", "SCIM", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SCIMTargetTests",
            dependencies: [
                "SCIMTarget", "SCIMSource", "SCIMClient", "SCIM", "Config", "Directory", "OffsetStore", "TargetKinds",
                "TestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SCIMSourceTests",
            dependencies: ["SCIMSource", "SCIMTarget", "SCIMClient", "SCIM", "Config", "Directory", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Daemon", "Config", "Directory", "SQLClients", "SQLServerClient", "MySQLBinlog", "MySQLSource", "OffsetStore",
                "Targets",
                "Reconcile", "TestSupport", "scimsync", "SCIMClient", "SCIM", "SourceKinds", "TargetKinds", "Connectors",
                "Inspection", "AdminPage", "FeedSource",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
