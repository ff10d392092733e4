import Engine
import Foundation
import Testing
import TestSupport

/// `decode_weights: auto` picks the format that fits the file; an explicit one is kept.
@Suite struct DecodeWeightsTests {
    @Test func autoKeepsAQ4_1FilesOwnBlocks() throws {
        let model = try RealModel.load()  // the shipped file: every layer Q4_1
        #expect(model.model.decodeWeights == .q4_1)
        #expect(DecodeWeights.auto.resolved(for: model.file) == .q4_1)
    }

    @Test func autoDecodesAnyOtherFileAsQ8() throws {
        let path = try TinyModel.write()  // f32 layers
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        #expect(DecodeWeights.auto.resolved(for: file) == .q8_0)
        #expect(try LlamaModel(file: file, threads: 1).decodeWeights == .q8_0)
    }

    @Test(arguments: [DecodeWeights.q8_0, .q4_1, .f32])
    func anExplicitFormatIsKept(weights: DecodeWeights) throws {
        let model = try RealModel.load()
        #expect(weights.resolved(for: model.file) == weights)
    }
}

/// The build picks the byte kernels wherever the CPU has them (Package.swift's tier from
/// /proc/cpuinfo): a machine with AVX2 and FMA that built only the portable kernels would
/// decode at a quarter of llama.cpp's speed without any test failing.
@Suite struct DecodeKernelTierTests {
    @Test func anAVX2MachineBuildsTheByteKernels() throws {
        #if os(Linux) && arch(x86_64)
        guard ProcessInfo.processInfo.environment["RETORT_TARGET_CPU"] == nil,
              let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })?.split(separator: " "),
              ["avx2", "fma", "f16c", "bmi2", "movbe"].allSatisfy({ flags.contains(Substring($0)) }) else { return }
        #expect(DecodeKernel.best == .avx2)
        #expect(DecodeKernel.best.description.contains(flags.contains("avx512_vnni") ? "vpdpbusd" : "vpmaddubsw"))
        #endif
    }
}
