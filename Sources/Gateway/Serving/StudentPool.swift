import Corpus
import Foundation

/// The loaded student versions, all sharing one generation queue.
///
/// A version is named by its name in the `students` table or by a GGUF path. Loading
/// happens on a background thread: until it is done the version is unavailable and
/// student-bound requests go to the teacher, so a swap never stalls a request. Requests
/// in flight keep the backend they started with, so swapping drops none of them. Versions
/// that no route names any more are unloaded.
final class StudentPool: @unchecked Sendable {
    // @unchecked: `entries` is guarded by `lock`.
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private let settings: StudentSettings
    private let store: ServingStore
    /// The generation queue every version shares.
    let queue: StudentQueue

    /// The state of one named student.
    enum Entry {
        /// Being loaded.
        case loading
        /// Ready.
        case loaded(StudentBackend)
        /// Not found or not loadable.
        case failed(String)
    }

    /// A pool whose versions run on `queue`; `preloaded` is the configured student model
    /// (`student.model`), reused when a route names that path.
    init(settings: StudentSettings, store: ServingStore, queue: StudentQueue, preloaded: StudentBackend?) {
        self.settings = settings
        self.store = store
        self.queue = queue
        if let preloaded, case .success = preloaded.model { entries[preloaded.path] = .loaded(preloaded) }
    }

    /// The backend for `name` if it is loaded; otherwise starts loading it and returns nil.
    func backend(for name: String) -> StudentBackend? {
        let entry: Entry? = lock.withLock {
            if let entry = entries[name] { return entry }
            entries[name] = .loading
            return nil
        }
        switch entry {
        case .loaded(let backend)?: return backend
        case .loading?, .failed?: return nil
        case nil:
            startLoading(name)
            return nil
        }
    }

    /// What is known about `name`, without starting a load.
    func entry(for name: String) -> Entry? {
        lock.withLock { entries[name] }
    }

    /// Loads `name` now, on the calling thread (start-up and tests); returns the backend or nil.
    @discardableResult
    func loadNow(_ name: String) -> StudentBackend? {
        if case .loaded(let backend)? = entry(for: name) { return backend }
        lock.withLock { entries[name] = .loading }
        load(name)
        if case .loaded(let backend)? = entry(for: name) { return backend }
        return nil
    }

    /// Unloads every version not named in `names` (the configured student model stays).
    /// Requests still running on an unloaded version keep it alive until they finish.
    func evict(keeping names: Set<String>) {
        lock.withLock {
            for name in entries.keys where !names.contains(name) && name != settings.model {
                if case .loading? = entries[name] { continue }
                entries[name] = nil
            }
        }
    }

    /// Forgets a failed load of `name`, so the next request tries again.
    func retry(_ name: String) {
        lock.withLock {
            if case .failed? = entries[name] { entries[name] = nil }
        }
    }

    private func startLoading(_ name: String) {
        let thread = Thread { [self] in self.load(name) }
        thread.name = "retort-student-load"
        thread.start()
    }

    private func load(_ name: String) {
        let path: String
        do {
            guard let resolved = try resolve(name) else {
                lock.withLock { entries[name] = .failed("no student version or model file named '\(name)'") }
                return
            }
            path = resolved
        } catch {
            lock.withLock { entries[name] = .failed("cannot read the students table: \(error)") }
            return
        }
        var versionSettings = settings
        versionSettings.model = path
        let backend = StudentBackend(settings: versionSettings, queue: queue)
        lock.withLock {
            switch backend.model {
            case .success: entries[name] = .loaded(backend)
            case .failure(let error): entries[name] = .failed("\(error)")
            }
        }
    }

    /// The GGUF path of `name`: a registered version's file, else `name` itself if it is a file.
    private func resolve(_ name: String) throws -> String? {
        if let path = try store.studentModelPath(version: name) { return path }
        return FileManager.default.fileExists(atPath: name) ? name : nil
    }
}
