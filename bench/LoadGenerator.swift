import Foundation
import Teacher

/// Outcome of one load run.
struct LoadResult {
    var latencies: [Double] = []
    var errors = 0
    var elapsed = 0.0

    var completed: Int { latencies.count }
    var throughput: Double { elapsed > 0 ? Double(completed) / elapsed : 0 }

    init(latencies: [Double], errors: Int, elapsed: Double) {
        self.latencies = latencies
        self.errors = errors
        self.elapsed = elapsed
    }

    init(merging runs: [LoadResult]) {
        latencies = runs.flatMap(\.latencies)
        errors = runs.map(\.errors).reduce(0, +)
        elapsed = runs.map(\.elapsed).reduce(0, +)
    }
}

/// Sends the same chat request from `concurrency` workers over keep-alive connections.
struct LoadGenerator {
    let client: TeacherClient
    let body: [UInt8]

    init(baseURL: String, body: [UInt8]) {
        client = TeacherClient(configuration: TeacherConfiguration(baseURL: baseURL, retry: .never))
        self.body = body
    }

    func run(concurrency: Int, requests: Int) async throws -> LoadResult {
        let start = ContinuousClock.now
        let perWorker = max(1, requests / concurrency)
        let outcomes = await withTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask { await self.worker(requests: perWorker) }
            }
            var all: [([Double], Int)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let elapsed = (ContinuousClock.now - start).milliseconds / 1000
        return LoadResult(latencies: outcomes.flatMap(\.0), errors: outcomes.map(\.1).reduce(0, +), elapsed: elapsed)
    }

    private func worker(requests: Int) async -> ([Double], Int) {
        var latencies: [Double] = []
        var errors = 0
        let request = TeacherRequest(path: "/chat/completions", headers: [("Content-Type", "application/json")], body: body)
        for _ in 0..<requests {
            let start = ContinuousClock.now
            do {
                let response = try await client.send(request)
                _ = try await response.body.collect(upTo: 1 << 20)
                if response.status == 200 { latencies.append((ContinuousClock.now - start).milliseconds) } else { errors += 1 }
            } catch {
                errors += 1
            }
        }
        return (latencies, errors)
    }
}
