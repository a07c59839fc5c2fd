// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-supplier-sim", targets: ["SupplierSim"]),
        .library(name: "SluiceCore", targets: ["SluiceCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "SluiceCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "SluiceCSV", dependencies: ["SluiceCore", "CLibCSV", "CZlib"], swiftSettings: swiftSettings),
        .target(name: "SluiceSQLite", dependencies: ["SluiceCore", "CSQLite"], swiftSettings: swiftSettings),
        .target(
            name: "SluicePostgres",
            dependencies: ["SluiceCore", "CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceHTTP",
            dependencies: [
                "SluiceCore", "SluiceCSV",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "SluiceSample", dependencies: ["SluiceCore", "CZlib"], swiftSettings: swiftSettings),
        .target(
            name: "SluiceObservability",
            dependencies: [
                "SluiceCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceApp",
            dependencies: [
                "SluiceCore", "SluiceCSV", "SluiceSQLite", "SluicePostgres", "SluiceSample", "SluiceObservability", "SluiceHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceApp", "SluiceCore", "SluiceSample", "SluiceObservability", "SluiceHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Serves a sample tree as throttled, faulty supplier endpoints, for tests and `make bench-scenario`.
        .executableTarget(
            name: "SupplierSim",
            dependencies: [
                "SluiceCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fuzzing: swift build -c release --product SluiceFuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
        .executableTarget(name: "SluiceFuzz", dependencies: ["SluiceCSV", "SluiceCore"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceHTTPTests", dependencies: ["SluiceHTTP", "SluiceCore"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceCSVTests", dependencies: ["SluiceCSV", "SluiceCore", "CZlib"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceSampleTests", dependencies: ["SluiceSample", "SluiceCSV", "SluiceCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceAppTests",
            dependencies: [
                "SluiceApp", "SluiceCore", "SluiceCSV", "SluiceSQLite", "SluicePostgres", "SluiceSample", "SluiceObservability", "SluiceHTTP", "CSQLite", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
