import Hummingbird

/// The static dashboard: files under `public/` (``GatewayConfiguration/publicDirectory``)
/// served at `/`, after the routes, so an API path never resolves to a file.
enum DashboardFiles {
    /// The middleware serving `folder`, with `index.html` for `/`.
    static func middleware<Context: RequestContext>(folder: String) -> FileMiddleware<Context, LocalFileSystem> {
        FileMiddleware(folder, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true)
    }
}
