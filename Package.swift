// swift-tools-version:6.2
import PackageDescription

/// Numeric targets are compiled optimized even in debug builds: their kernels are
/// 10-100x slower unoptimized, and tests of them would otherwise take minutes.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "retort",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "retort", targets: ["retort"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Already a dependency of Hummingbird; named so the gateway can use HTTPField directly.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // C shims: one per system library, nothing but a module map.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(name: "ChatAPI"),
        .target(name: "Teacher", dependencies: ["CCurl", "ChatAPI"]),
        .target(name: "Corpus", dependencies: ["CSQLite", "ChatAPI"]),
        .target(name: "Engine", dependencies: ["COpenBLAS"], swiftSettings: optimized),
        // Pure decision logic for progressive serving: no I/O, injected clock and randomness.
        .target(name: "Serving"),
        .target(name: "Training", dependencies: ["Engine", "COpenBLAS"], swiftSettings: optimized),
        .target(
            name: "Gateway",
            dependencies: [
                "ChatAPI", "Teacher", "Corpus", "Engine", "Serving",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "retort",
            dependencies: [
                "Gateway", "ChatAPI", "Teacher", "Corpus", "Engine", "Serving", "Training",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "retort-bench",
            dependencies: [
                "Gateway", "Corpus", "Engine", "Training", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench",
            swiftSettings: optimized
        ),

        // Test-only code: the mock teacher (a real HTTP server on port 0).
        .target(name: "TestSupport", dependencies: ["ChatAPI", "Engine"], path: "Tests/TestSupport"),
        .testTarget(name: "ChatAPITests", dependencies: ["ChatAPI"]),
        .testTarget(name: "TeacherTests", dependencies: ["Teacher", "TestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus"]),
        .testTarget(name: "ServingTests", dependencies: ["Serving"]),
        .testTarget(
            name: "TrainingTests", dependencies: ["Training", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: optimized
        ),
        .testTarget(
            name: "EngineTests", dependencies: ["Engine", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: optimized
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "TestSupport", "Corpus", "Serving",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
