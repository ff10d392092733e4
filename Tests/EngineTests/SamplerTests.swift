import Foundation
import Testing
@testable import Engine

/// The sampler as a pure function of logits and a random number.
@Suite struct SamplerTests {
    let logits: [Float] = [1, 3, 2, 0.5, 2.9]

    private func sample(temperature: Float, topP: Float = 1, topK: Int = 0, random: Float) -> Int32 {
        logits.withUnsafeBufferPointer {
            Sampler.sample(logits: $0, temperature: temperature, topP: topP, topK: topK, random: random)
        }
    }

    @Test func greedyIgnoresRandomness() {
        for random: Float in [0, 0.3, 0.99] { #expect(sample(temperature: 0, random: random) == 1) }
    }

    @Test func topKOneAndTinyTopPAreGreedy() {
        for random: Float in [0, 0.5, 0.999] {
            #expect(sample(temperature: 1, topK: 1, random: random) == 1)
            #expect(sample(temperature: 1, topP: 0.01, random: random) == 1)
        }
    }

    @Test func topKTwoKeepsTheTwoBest() {
        let seen = Set(stride(from: Float(0), to: 1, by: 0.01).map { sample(temperature: 1.5, topK: 2, random: $0) })
        #expect(seen == [1, 4])
    }

    @Test func frequenciesFollowTheSoftmax() {
        var random = SeededGenerator(seed: 7)
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<20000 { counts[Int(sample(temperature: 1, random: random.nextUnit()))] += 1 }
        let weights = logits.map { exp($0) }
        let total = weights.reduce(0, +)
        for (index, count) in counts.enumerated() {
            #expect(abs(Float(count) / 20000 - weights[index] / total) < 0.015)
        }
    }

    @Test func seededGeneratorIsReproducible() {
        var a = SeededGenerator(seed: 11), b = SeededGenerator(seed: 11), c = SeededGenerator(seed: 12)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        for _ in 0..<1000 { #expect((0..<1).contains(a.nextUnit())) }
    }

    @Test func logprobsAreLogSoftmax() {
        let (logprob, top) = logits.withUnsafeBufferPointer { Sampler.logprobs(logits: $0, token: 2, top: 2) }
        let normalizer = log(logits.map { exp($0) }.reduce(0, +))
        #expect(abs(logprob - (2 - normalizer)) < 1e-5)
        #expect(top.map(\.id) == [1, 4])
        #expect(abs(top[0].logprob - (3 - normalizer)) < 1e-5)
    }
}

/// Stop sequences found across arbitrary chunk boundaries.
@Suite struct StopSequenceMatcherTests {
    private func run(_ chunks: [String], stops: [String]) -> (String, Bool) {
        var matcher = StopSequenceMatcher(stops: stops)
        var output = ""
        for chunk in chunks {
            let (text, stopped) = matcher.feed(chunk)
            output += text
            if stopped { return (output, true) }
        }
        return (output + matcher.flush(), false)
    }

    @Test func splitAcrossChunks() {
        #expect(run(["Hello wo", "rld! END", "ING"], stops: ["END"]) == ("Hello world! ", true))
        #expect(run(["ab", "c<", "|x", "|>d"], stops: ["<|x|>"]) == ("abc", true))
        #expect(run(["E", "N", "D"], stops: ["END"]) == ("", true))
    }

    @Test func partialMatchIsReleased() {
        #expect(run(["EN", "d of story"], stops: ["END"]) == ("ENd of story", false))
        #expect(run(["trailing EN"], stops: ["END"]) == ("trailing EN", false))
    }

    @Test func earliestOfSeveralStops() {
        #expect(run(["one two three"], stops: ["three", "two"]) == ("one ", true))
        #expect(run(["naïve 👋 bye"], stops: ["👋"]) == ("naïve ", true))
    }
}
