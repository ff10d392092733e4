/// A small seeded random number generator (SplitMix64), for reproducible decisions in
/// tests, benchmarks and simulations. Not for anything security-related.
/// Reference: Steele, Lea, Flood, "Fast splittable pseudorandom number generators" (2014).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return StableHash.mix2(state)
    }
}

extension StableHash {
    /// SplitMix64's output function (a variant of `fmix64` with other constants).
    static func mix2(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform draw in `0..<1`, the "unit random" the decision types take.
    public mutating func nextUnit() -> Double {
        Double.random(in: 0..<1, using: &self)
    }
}
