import Serving
import Testing

@Suite struct CanaryAssignmentTests {
    @Test func fnv1aMatchesTheReferenceVectors() {
        // Published FNV-1a 64 test vectors.
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func bucketsAreFixedAcrossProcesses() {
        // Pinned values: a change here reshuffles every canary in production.
        let first = CanaryAssignment.bucket(for: .user("alice"), route: "support")
        #expect(first == CanaryAssignment.bucket(for: .user("alice"), route: "support"))
        // Values from an independent Python implementation of FNV-1a 64 + fmix64.
        #expect(first == 7074)
        #expect(CanaryAssignment.bucket(for: .user("bob"), route: "support") == 260)
    }

    @Test func keyPrecedenceIsUserThenTagThenPrompt() {
        #expect(CanaryKey.choose(user: "u", tag: "t", prompt: "p") == .user("u"))
        #expect(CanaryKey.choose(user: "", tag: "t", prompt: "p") == .tag("t"))
        #expect(CanaryKey.choose(user: nil, tag: nil, prompt: "p") == .prompt("p"))
        #expect(CanaryKey.choose(user: nil, tag: "", prompt: "p") == .prompt("p"))
    }

    @Test func kindsDoNotCollide() {
        #expect(CanaryKey.user("x").hashedText != CanaryKey.tag("x").hashedText)
    }

    @Test func zeroTakesNobodyAndHundredTakesEverybody() {
        for index in 0..<2_000 {
            let key = CanaryKey.user("user-\(index)")
            #expect(!CanaryAssignment.isInCanary(key, route: "r", percent: 0))
            #expect(CanaryAssignment.isInCanary(key, route: "r", percent: 100))
            #expect(!CanaryAssignment.isInCanary(key, route: "r", percent: .nan))
        }
    }

    @Test(arguments: [1.0, 5, 10, 25, 50, 90])
    func shareIsCloseToThePercent(percent: Double) {
        let keys = 20_000
        let inCanary = (0..<keys).filter {
            CanaryAssignment.isInCanary(.user("user-\($0)"), route: "support", percent: percent)
        }.count
        let share = Double(inCanary) / Double(keys) * 100
        // Binomial standard deviation at 50% over 20k keys is 0.35 points; allow ~3 sigma.
        #expect(abs(share - percent) < 1.0, "share \(share)% for \(percent)%")
    }

    @Test func raisingThePercentOnlyAddsKeys() {
        for index in 0..<5_000 {
            let key = CanaryKey.tag("t\(index)")
            if CanaryAssignment.isInCanary(key, route: "r", percent: 5) {
                #expect(CanaryAssignment.isInCanary(key, route: "r", percent: 10))
            }
        }
    }

    @Test func routesShuffleKeysIndependently() {
        let users = (0..<1_000).map { CanaryKey.user("u\($0)") }
        let onA = users.filter { CanaryAssignment.isInCanary($0, route: "a", percent: 10) }
        let onBoth = onA.filter { CanaryAssignment.isInCanary($0, route: "b", percent: 10) }
        #expect(onA.count > 50)
        #expect(onBoth.count < onA.count / 2)
    }
}
