import Serving
import Testing

@Suite struct TextScoringTests {
    @Test func normalizesCaseAndWhitespace() {
        #expect(TextScoring.normalize("  Hello\n\tWORLD  ") == "hello world")
        #expect(TextScoring.normalize("") == "")
        #expect(TextScoring.exactMatch("The  Answer", "the answer"))
        #expect(!TextScoring.exactMatch("the answer.", "the answer"))
        #expect(TextScoring.exactMatch("ÉCOLE", "école"))
    }

    @Test func tokenizesWordsAndPunctuation() {
        #expect(TextScoring.tokens("Paris.") == ["paris", "."])
        #expect(TextScoring.tokens("{\"a\": 12}") == ["{", "\"", "a", "\"", ":", "12", "}"])
        #expect(TextScoring.tokens("  ") == [])
        #expect(TextScoring.tokens("naïve café") == ["naïve", "café"])
    }

    @Test func f1MatchesHandComputedValues() {
        #expect(TextScoring.tokenF1("the cat sat", "the cat sat") == 1)
        #expect(TextScoring.tokenF1("dog", "the cat") == 0)
        // common = 2 (the, cat); P = 2/3, R = 2/2 → F1 = 0.8.
        #expect(abs(TextScoring.tokenF1("the cat sat", "the cat") - 0.8) < 1e-12)
        // Multiplicity: "a a a" vs "a": common 1, P = 1/3, R = 1 → 0.5.
        #expect(abs(TextScoring.tokenF1("a a a", "a") - 0.5) < 1e-12)
        #expect(abs(TextScoring.tokenF1("Paris", "Paris.") - 2.0 / 3) < 1e-12)
    }

    @Test func f1OfEmptyTexts() {
        #expect(TextScoring.tokenF1("", "") == 1)
        #expect(TextScoring.tokenF1("", "x") == 0)
        #expect(TextScoring.tokenF1("x", " ") == 0)
    }

    @Test func f1IsSymmetric() {
        let pairs = [("a b c d", "b c e"), ("one two two", "two one"), ("x", "x y z")]
        for (left, right) in pairs {
            #expect(TextScoring.tokenF1(left, right) == TextScoring.tokenF1(right, left))
        }
    }
}
