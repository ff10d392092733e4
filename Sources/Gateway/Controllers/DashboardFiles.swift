import Foundation
import Hummingbird

/// The static dashboard: files under `public/` (or `RETORT_PUBLIC_DIR`) served at `/`,
/// after the routes, so an API path never resolves to a file.
enum DashboardFiles {
    /// The folder served: `RETORT_PUBLIC_DIR` if set, else `public` in the working directory.
    static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["RETORT_PUBLIC_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "public"
    }

    /// The middleware serving `folder`, with `index.html` for `/`.
    static func middleware<Context: RequestContext>(folder: String = folder()) -> FileMiddleware<Context, LocalFileSystem> {
        FileMiddleware(folder, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true)
    }
}
