import Serving
import Testing

@Suite struct ShadowSamplerTests {
    @Test func samplesBelowTheRate() throws {
        let sampler = try ShadowSampler(sampleRate: 0.25, queueLimit: 2)
        #expect(sampler.decide(unitRandom: 0.0, queueDepth: 0) == .run)
        #expect(sampler.decide(unitRandom: 0.2499, queueDepth: 1) == .run)
        #expect(sampler.decide(unitRandom: 0.25, queueDepth: 0) == .notSampled)
        #expect(sampler.decide(unitRandom: 0.9, queueDepth: 0) == .notSampled)
    }

    @Test func dropsSampledWorkAtTheQueueLimit() throws {
        let sampler = try ShadowSampler(sampleRate: 1, queueLimit: 2)
        #expect(sampler.decide(unitRandom: 0.5, queueDepth: 1) == .run)
        #expect(sampler.decide(unitRandom: 0.5, queueDepth: 2) == .droppedOverloaded)
        #expect(sampler.decide(unitRandom: 0.5, queueDepth: 9) == .droppedOverloaded)
    }

    @Test func zeroRateNeverSamplesAndNeverCountsDrops() throws {
        let sampler = try ShadowSampler(sampleRate: 0, queueLimit: 0)
        #expect(sampler.decide(unitRandom: 0, queueDepth: 100) == .notSampled)
    }

    @Test(arguments: [-0.1, 1.01, .nan])
    func rejectsRatesOutsideZeroToOne(rate: Double) {
        #expect(throws: ServingError.self) { try ShadowSampler(sampleRate: rate) }
    }

    @Test func rejectsANegativeQueueLimit() {
        #expect(throws: ServingError.invalidConfiguration(key: "queueLimit", reason: "must be ≥ 0, got -1")) {
            try ShadowSampler(queueLimit: -1)
        }
    }

    @Test func seededDecisionsAreReproducibleAndNearTheRate() throws {
        let sampler = try ShadowSampler(sampleRate: 0.1, queueLimit: 4)
        func run(seed: UInt64) -> [ShadowSampler.Decision] {
            var generator = SplitMix64(seed: seed)
            return (0..<10_000).map { sampler.decide(queueDepth: $0 % 6, using: &generator) }
        }
        let first = run(seed: 7)
        #expect(first == run(seed: 7))
        #expect(first != run(seed: 8))
        var stats = ShadowStatistics()
        first.forEach { stats.record($0) }
        #expect(stats.run + stats.notSampled + stats.dropped == 10_000)
        let sampled = Double(stats.run + stats.dropped) / 10_000
        #expect(abs(sampled - 0.1) < 0.01)
        // Depths 4 and 5 of every 6 are at or past the limit: about a third of samples drop.
        let dropShare = Double(stats.dropped) / Double(stats.run + stats.dropped)
        #expect(abs(dropShare - 1.0 / 3) < 0.05)
    }

    @Test func splitMixMatchesTheReferenceSequence() {
        // First outputs of SplitMix64 seeded with 0 (reference C implementation).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xe220_a839_7b1d_cdaf)
        #expect(generator.next() == 0x6e78_9e6a_a1b9_65f4)
        var unit = SplitMix64(seed: 1)
        for _ in 0..<1_000 { #expect((0..<1).contains(unit.nextUnit())) }
    }
}
