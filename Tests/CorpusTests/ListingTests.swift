import ChatAPI
import Corpus
import Testing

@Suite struct ListingTests {
    @Test func pagesAreKeyedAndFiltered() throws {
        let corpus = try CorpusFixture()
        for i in 0..<25 { corpus.add(prompt: "question \(i)", route: i % 2 == 0 ? "even" : "odd", status: i % 5 == 0 ? 500 : 200) }
        var seen: [String] = []
        var filter = ExchangeFilter(limit: 10)
        repeat {
            let page = try corpus.reader.list(filter)
            seen += page.items.map(\.id)
            filter.before = page.nextBefore
        } while filter.before != nil
        #expect(seen.count == 25 && seen == seen.sorted(by: >))
        let evens = try corpus.reader.list(ExchangeFilter(route: "even", status: 200, limit: 100))
        #expect(evens.items.count == 10 && evens.items.allSatisfy { $0.route == "even" && $0.status == 200 })
        #expect(evens.items.first?.promptPreview == "question 24")
    }

    @Test func ratingFilter() throws {
        let corpus = try CorpusFixture()
        let a = corpus.add(prompt: "a"), b = corpus.add(prompt: "b")
        corpus.add(prompt: "c")
        try corpus.feedback(#"{"exchange_id":"\#(a.id)","rating":"up"}"#)
        try corpus.feedback(#"{"exchange_id":"\#(b.id)","rating":"down"}"#)
        #expect(try corpus.reader.list(ExchangeFilter(rating: .up)).items.map(\.id) == [a.id])
        #expect(try corpus.reader.list(ExchangeFilter(rating: .down)).items.map(\.id) == [b.id])
        #expect(try corpus.reader.list(ExchangeFilter(rating: .unrated)).items.count == 1)
        #expect(try corpus.reader.list(ExchangeFilter(rating: .rated)).items.count == 2)
    }

    @Test func fullTextSearchOverPromptsAndAnswers() throws {
        let corpus = try CorpusFixture()
        let paris = corpus.add(prompt: "What is the capital of France?", answers: ["Paris, of course."])
        corpus.add(prompt: "Tell me a joke", answers: ["Why did the chicken cross the road?"])
        #expect(try corpus.reader.list(ExchangeFilter(text: "france")).items.map(\.id) == [paris.id])
        #expect(try corpus.reader.list(ExchangeFilter(text: "answer:paris")).items.map(\.id) == [paris.id])
        #expect(try corpus.reader.list(ExchangeFilter(text: "chicken OR capital")).items.count == 2)
        #expect(try corpus.reader.list(ExchangeFilter(text: "prompt:paris")).items.isEmpty)
    }

    @Test(arguments: [#"foo""#, "AND", "(unbalanced", "nosuchcolumn:x", "a NEAR/ b", "*"])
    func badSearchSyntaxIsAClearError(query: String) throws {
        let corpus = try CorpusFixture()
        corpus.add(prompt: "x")
        #expect {
            try corpus.reader.list(ExchangeFilter(text: query))
        } throws: { error in
            if case .invalidSearch = error as? CorpusError { return true }
            return false
        }
    }

    @Test func filterValuesNeverChangeTheQuery() throws {
        let corpus = try CorpusFixture()
        corpus.add(prompt: "x")
        #expect(try corpus.reader.list(ExchangeFilter(route: "x' OR 1=1 --")).items.isEmpty)
        #expect(throws: CorpusError.self) { try corpus.reader.list(ExchangeFilter(before: "'; DROP TABLE exchanges; --")) }
        #expect(throws: CorpusError.self) { try corpus.reader.list(ExchangeFilter(limit: 0)) }
        #expect(try corpus.reader.exchangeCount() == 1)
    }

    @Test func statsCountEverything() throws {
        let corpus = try CorpusFixture()
        for i in 1...100 { corpus.add(prompt: "p\(i)", route: i <= 60 ? "a" : "b", status: i % 10 == 0 ? 502 : 200, latencyMs: Double(i)) }
        let stats = try corpus.reader.stats()
        #expect(stats.exchanges == 100 && stats.promptTokens == 1000 && stats.completionTokens == 500)
        #expect(stats.byRoute == [.init(key: "a", count: 60), .init(key: "b", count: 40)])
        #expect(stats.byStatus.first { $0.key == "502" }?.count == 10)
        #expect(stats.byRating.first { $0.key == "none" }?.count == 100)
        // 90 status-200 latencies: 1..99 without multiples of 10; nearest rank 45 is 49.
        #expect(stats.latencyP50 == 49 && stats.latencyP99 == 99)
    }

    @Test func detailIncludesFeedbackAndSamePrompt() throws {
        let corpus = try CorpusFixture()
        let a = corpus.add(prompt: "same"), b = corpus.add(prompt: "same")
        try corpus.feedback(#"{"exchange_id":"\#(a.id)","comment":"hmm"}"#)
        let detail = try #require(try corpus.reader.detail(id: a.id))
        #expect(detail.feedback.count == 1 && detail.samePrompt == [b.id])
        #expect(!detail.json.jsonString.contains("sk-secret"))
    }
}
