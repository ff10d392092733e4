// swift-tools-version:6.2
import Foundation
import PackageDescription

/// Numeric targets are compiled optimized even in debug builds: their kernels are
/// 10-100x slower unoptimized, and tests of them would otherwise take minutes.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

/// Retort is built where it runs, so like `-march=native` every Swift target is compiled
/// for the building CPU's vector extensions. `RETORT_TARGET_CPU` names another `swiftc
/// -target-cpu` value (to build and test another tier's code paths), or `generic` for the
/// baseline x86-64 (a portable binary). All targets share the setting so SIMD values cross
/// module boundaries in one ABI.
func hostTargetCPU() -> String? {
    if let name = ProcessInfo.processInfo.environment["RETORT_TARGET_CPU"] {
        return name == "generic" || name.isEmpty ? nil : name
    }
    #if os(Linux) && arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(line.split(separator: " ").map(String.init))
    func has(_ names: String...) -> Bool { names.allSatisfy(flags.contains) }
    guard has("avx2", "fma", "f16c", "bmi2", "movbe") else { return nil }
    guard has("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl") else { return "haswell" }
    return has("avx512_vnni") ? "cascadelake" : "skylake-avx512"
    #else
    return nil
    #endif
}

/// The engine's kernel tier for a target CPU, as compilation conditions: `RETORT_AVX2`
/// (the integer dot kernels on `vpmaddubsw`), plus `RETORT_AVX512_VNNI` (`vpdpbusd`). A
/// CPU not named here builds the portable kernels, correct on any x86-64 or arm64.
func kernelTier(_ cpu: String?) -> [String] {
    let avx2: Set = ["haswell", "broadwell", "skylake", "skylake-avx512", "alderlake", "znver1", "znver2", "znver3"]
    let vnni: Set = ["cascadelake", "cooperlake", "icelake-server", "icelake-client", "tigerlake",
                     "sapphirerapids", "graniterapids", "znver4", "znver5"]
    guard let cpu else { return [] }
    if vnni.contains(cpu) { return ["RETORT_AVX2", "RETORT_AVX512_VNNI"] }
    if avx2.contains(cpu) { return ["RETORT_AVX2"] }
    return []
}

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
        // Already a dependency of Hummingbird; named so the Distill library can log.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Already a dependency of Hummingbird; named for the peer's SocketAddress in the request
        // context and for the teacher client's event-loop transport.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already a dependency of Hummingbird; named for the HTTP/1 to HTTP-types codec under
        // the gateway's own connection handler.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        // C shims: one per system library, nothing but a module map.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(name: "ChatAPI"),
        .target(
            name: "Teacher",
            dependencies: [
                "CCurl", "ChatAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(name: "Corpus", dependencies: ["CSQLite", "ChatAPI"]),
        .target(name: "Engine", dependencies: ["COpenBLAS"], swiftSettings: optimized),
        // Pure decision logic for progressive serving: no I/O, injected clock and randomness.
        // ChatAPI (wire types, no I/O either) for its one JSON grammar.
        .target(name: "Serving", dependencies: ["ChatAPI"]),
        .target(name: "Training", dependencies: ["Engine", "ChatAPI"], swiftSettings: optimized),
        // The loop around the student: per-route serving runtime, student pool, evaluation,
        // the training job and its scheduler. Knows no HTTP.
        .target(
            name: "Distill",
            dependencies: [
                "ChatAPI", "Teacher", "Corpus", "Engine", "Serving", "Training",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP application: routes, controllers, middleware. Knows no numerics.
        .target(
            name: "Gateway",
            dependencies: [
                "ChatAPI", "Teacher", "Corpus", "Serving", "Distill",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "retort",
            dependencies: [
                "Gateway", "Distill", "ChatAPI", "Teacher", "Corpus", "Engine", "Serving",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "retort-bench",
            dependencies: [
                "Gateway", "Distill", "ChatAPI", "Teacher", "Corpus", "Engine", "Training", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "bench",
            exclude: ["compare-llamacpp.sh", "gateway-load.sh", "served-decode.sh", "nginx-teacher.conf", "wrk-chat.lua"],
            swiftSettings: optimized
        ),

        // Test-only code: the mock teacher (a real HTTP server on port 0).
        .target(name: "TestSupport", dependencies: ["ChatAPI", "Engine"], path: "Tests/TestSupport"),
        .testTarget(name: "ChatAPITests", dependencies: ["ChatAPI", "TestSupport"]),
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
        .testTarget(name: "DistillTests", dependencies: ["Distill", "TestSupport", "Corpus", "Serving", "Engine", "Training", "Teacher"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "Distill", "TestSupport", "Corpus", "Serving", "Teacher",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

if let cpu = hostTargetCPU() {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-target-cpu", cpu])]
    }
}
// The engine's tier kernels reach the x86 instructions the SIMD types do not
// (`vpmaddubsw`, `vpsignb`, `vpdpbusd`) through the compiler's `Builtin` module.
for target in package.targets where target.name == "Engine" {
    let conditions = kernelTier(hostTargetCPU())
    target.swiftSettings = (target.swiftSettings ?? []) + conditions.map { .define($0) }
        + (conditions.isEmpty ? [] : [.unsafeFlags(["-Xfrontend", "-enable-builtin-module"])])
}
