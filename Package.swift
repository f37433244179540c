// swift-tools-version:6.1
//
// Wattline: EV charger telemetry from MQTT to power levels, anomalies, billed sessions and a compressed archive.
// Benchmarks live in the `Benchmarks/` sub-package so that `make test` never builds them.

import PackageDescription

// MARK: - Shared dependency constants

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let ringBuffer: Target.Dependency = .product(name: "RingBuffer", package: "RingBuffer")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    // Release builds leave out the run-time exclusivity checks (the compile-time ones stay): on the worker's hot
    // path every access to a class's stored property took one, 6.7 % of a replay's instructions in swift_beginAccess
    // and its thread-local access set. Debug builds, which `make test` runs, keep them, so the suite still traps
    // an overlapping access.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Wattline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wattline", targets: ["wattline"]),
        .library(name: "WattlineCore", targets: ["Telemetry", "JSONTape", "Pipeline", "Recording", "SQLite", "Zstd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(path: "Packages/RingBuffer"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // MARK: C libraries (Debian packages named as providers; found through pkg-config)
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // MARK: Safe wrappers: the only modules that import the C modules
        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: strict),
        .target(name: "Zstd", dependencies: ["CZstd"], swiftSettings: strict),
        .target(name: "MQTT", dependencies: ["CMosquitto"], swiftSettings: strict),

        // MARK: Libraries
        .target(name: "JSONTape", swiftSettings: strict),
        .target(name: "Telemetry", dependencies: ["JSONTape"], swiftSettings: strict),
        .target(name: "Recording", dependencies: ["Telemetry", "JSONTape", "Zstd"], swiftSettings: strict),
        .target(name: "Pipeline", dependencies: ["Telemetry", yams], swiftSettings: strict),
        // The SSE4.2 crc32 instruction for CRC32C (a function of our own in C, not a system library).
        .target(name: "CCRC32C"),
        .target(name: "Checksum", dependencies: ["CCRC32C"], swiftSettings: strict),
        .target(name: "WriteAheadLog", dependencies: ["Telemetry", "Checksum"], swiftSettings: strict),
        .target(name: "ChunkCodec", swiftSettings: strict),
        .target(name: "ChunkStore", dependencies: ["ChunkCodec", "Checksum", "Zstd", "Telemetry"], swiftSettings: strict),
        .target(name: "PowerLevels", dependencies: ["Telemetry"], swiftSettings: strict),
        .target(name: "Sessions", dependencies: ["Telemetry", "JSONTape"], swiftSettings: strict),
        .target(name: "Anomalies", dependencies: ["Telemetry", "Pipeline", "PowerLevels", "Sessions"], swiftSettings: strict),
        .target(name: "Billing", dependencies: ["Telemetry", "Pipeline", "Sessions"], swiftSettings: strict),
        .target(name: "Alerts", dependencies: ["Telemetry", "Pipeline", "Sessions", "Anomalies", "SQLite", logging],
                swiftSettings: strict),
        .target(name: "Processing", dependencies: ["Telemetry", "Pipeline", "PowerLevels", "Sessions", "Anomalies", "Billing", "Alerts",
                                                 "SQLite", "Zstd", "ChunkCodec"],
                swiftSettings: strict),
        .target(name: "Reports", dependencies: ["Processing", "SQLite", "Billing", "Pipeline", "Telemetry", "JSONTape"], swiftSettings: strict),
        .target(name: "PrometheusEndpoint", swiftSettings: strict),
        .target(name: "Simulator", dependencies: ["Telemetry", "Recording", "JSONTape"], swiftSettings: strict),
        .target(
            name: "Ingest",
            dependencies: ["Telemetry", "Pipeline", "Recording", "SQLite", "WriteAheadLog", "MQTT", "PrometheusEndpoint", prometheus,
                           "ChunkStore", "Processing", "Alerts", ringBuffer, logging],
            swiftSettings: strict
        ),

        // MARK: Executable
        .executableTarget(
            name: "wattline",
            dependencies: ["Telemetry", "JSONTape", "Pipeline", "Recording", "Ingest", "PrometheusEndpoint", "MQTT", "Simulator",
                           "ChunkStore", "Processing", "Alerts", "SQLite", "Billing", "Reports", argumentParser, logging],
            swiftSettings: strict
        ),

        // MARK: Tests (one target per library module)
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "ZstdTests", dependencies: ["Zstd", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "JSONTapeTests", dependencies: ["JSONTape"], swiftSettings: strict),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "JSONTape", "Recording"], swiftSettings: strict),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "Zstd", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Telemetry"], swiftSettings: strict),
        .testTarget(name: "WattlineCLITests", dependencies: ["wattline", "Recording", "SQLite", "ChunkStore", "Processing", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "MQTTTests", dependencies: ["MQTT", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"], swiftSettings: strict),
        .testTarget(name: "WriteAheadLogTests", dependencies: ["WriteAheadLog", "Checksum"], swiftSettings: strict),
        .testTarget(name: "ChunkCodecTests", dependencies: ["ChunkCodec"], swiftSettings: strict),
        .testTarget(name: "ChunkStoreTests", dependencies: ["ChunkStore", "ChunkCodec", "Telemetry", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "PowerLevelsTests", dependencies: ["PowerLevels", "Telemetry"], swiftSettings: strict),
        .testTarget(name: "AnomaliesTests", dependencies: ["Anomalies", "Telemetry", "Pipeline", "PowerLevels", "Sessions"],
                    swiftSettings: strict),
        .testTarget(name: "ProcessingTests", dependencies: ["Processing", "Telemetry", "Pipeline", "Sessions", "Anomalies", "PowerLevels", "Billing", "Alerts",
                                                        "SQLite", "Recording", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "AlertsTests", dependencies: ["Alerts", "Anomalies", "Sessions", "Pipeline", "SQLite", "MosquittoTestSupport", logging],
                    swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Processing", "SQLite", "Billing", "Pipeline", "Telemetry", "Sessions",
                                                     "Anomalies", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(name: "BillingTests", dependencies: ["Billing", "Telemetry", "Pipeline", "Sessions"], swiftSettings: strict),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "Telemetry", "Recording", "Pipeline"], swiftSettings: strict),
        .testTarget(name: "PrometheusEndpointTests", dependencies: ["PrometheusEndpoint"], swiftSettings: strict),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Telemetry", "Recording", "JSONTape", "MosquittoTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest", "Telemetry", "Pipeline", "Recording", "SQLite", "MQTT", "MosquittoTestSupport", "ChunkStore", "WriteAheadLog",
                           ringBuffer],
            swiftSettings: strict
        ),

        // MARK: Test support: a real mosquitto broker on a free loopback port
        .target(name: "MosquittoTestSupport", path: "Tests/MosquittoTestSupport", swiftSettings: strict),
    ]
)

// MARK: - Benchmarks (`make bench`), outside the graph `make test` builds

if Context.environment["WATTLINE_BENCH"] != nil {
    package.targets.append(
        .executableTarget(
            name: "wattline-bench",
            dependencies: ["Telemetry", "JSONTape", "MQTT", "ChunkCodec", "ChunkStore", "Simulator", "Zstd", "Processing", "Pipeline",
                           ringBuffer, .product(name: "DequeModule", package: "swift-collections")],
            path: "Benchmarks/wattline-bench",
            swiftSettings: strict
        )
    )
}
