import ArgumentParser
import Foundation
import Teacher
import TestSupport

/// `retort-bench gateway`: the latency the gateway adds and its throughput, against
/// calling the mock teacher directly, at several concurrencies, with logging on.
///
/// The gateway runs as its own process (`retort serve`, found next to this binary)
/// so its RSS can be read; the mock teacher and the load generator (libcurl, keep-alive)
/// run in this process. Each level runs direct and gateway rounds interleaved, so
/// both see the same machine noise. At the end the gateway is stopped and the rows in
/// its database are counted against the requests it answered.
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Gateway overhead, throughput and log completeness.")

    @Option(help: "Concurrency levels.") var concurrency: [Int] = [1, 8, 32]
    @Option(help: "Requests per level per target.") var requests = 2000
    @Option(help: "Path of the retort executable (default: next to this one).") var retort: String?

    func run() async throws {
        let mock = try MockTeacher { _ in .json(body: MockTeacher.completionJSON(content: "A short answer from the mock teacher.")) }
        defer { mock.shutdown() }
        let gateway = try GatewayProcess.start(executable: retort ?? GatewayProcess.siblingExecutable(), teacherURL: mock.baseURL)
        defer { gateway.stop() }
        try await gateway.waitUntilHealthy()
        let body = Array(#"{"model":"default","messages":[{"role":"user","content":"Summarise the plot of Hamlet in one line."}]}"#.utf8)
        let direct = LoadGenerator(baseURL: mock.baseURL, body: body)
        let viaGateway = LoadGenerator(baseURL: gateway.baseURL, body: body)
        _ = try await direct.run(concurrency: 4, requests: 200)  // warm-up both paths
        _ = try await viaGateway.run(concurrency: 4, requests: 200)
        var gatewayRequests = 200
        print("concurrency | direct p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms | direct req/s | gateway req/s | errors")
        for level in concurrency {
            var directRuns: [LoadResult] = []
            var gatewayRuns: [LoadResult] = []
            for _ in 0..<2 {  // interleave: direct, gateway, direct, gateway
                directRuns.append(try await direct.run(concurrency: level, requests: requests / 2))
                gatewayRuns.append(try await viaGateway.run(concurrency: level, requests: requests / 2))
            }
            let d = LoadResult(merging: directRuns), g = LoadResult(merging: gatewayRuns)
            gatewayRequests += g.completed + g.errors
            let (ds, gs) = (LatencyStats(d.latencies), LatencyStats(g.latencies))
            print(String(format: "%11d | %8.3f / %7.3f | %9.3f / %7.3f | %8.3f / %7.3f | %12.0f | %13.0f | %d",
                         level, ds.p50, ds.p99, gs.p50, gs.p99, gs.p50 - ds.p50, gs.p99 - ds.p99,
                         d.throughput, g.throughput, d.errors + g.errors))
        }
        let rss = gateway.peakRSSMegabytes()
        let logged = try gateway.stopAndCountRows()
        print(String(format: "gateway peak RSS: %.1f MB", rss))
        print("requests through the gateway: \(gatewayRequests); rows logged: \(logged); lost: \(gatewayRequests - logged)")
    }
}
