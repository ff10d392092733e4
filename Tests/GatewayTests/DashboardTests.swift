import ChatAPI
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct DashboardTests {
    /// The repository's `public/` folder, found from this file's path.
    static let publicFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("public").path

    @Test func servesTheDashboardAtTheRootAndRoutesStillWin() async throws {
        let corpus = try AdminTestCorpus { $0.publicDirectory = Self.publicFolder }
        try await corpus.run { client in
            let index = try await client.get("/")
            #expect(index.status == 200 && index.text.contains("<script src=\"app.js\"></script>"))
            #expect(index.headers[.contentType]?.hasPrefix("text/html") == true)
            let script = try await client.get("/app.js")
            #expect(script.status == 200 && script.text.contains("/admin/exchanges"))
            let (css, health, missing) = (try await client.get("/app.css"), try await client.get("/healthz"), try await client.get("/nope.html"))
            #expect(css.status == 200 && health.status == 200 && missing.status == 404)
        }
    }

    @Test func loadsNothingFromTheInternetAndNeverInjectsHTML() throws {
        for name in ["index.html", "app.js", "app.css"] {
            // The SVG namespace is a name, not an address anything is loaded from.
            let text = try String(contentsOfFile: Self.publicFolder + "/" + name, encoding: .utf8)
                .replacingOccurrences(of: "\"http://www.w3.org/2000/svg\"", with: "")
            #expect(!text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"), "\(name) loads from the network")
            #expect(!text.contains("innerHTML") && !text.contains("eval("), "\(name) builds HTML from strings")
        }
    }
}
