import ChatAPI
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
    // @unchecked: `entries` is guarded by `lock`, which is signalled whenever a load ends.
    private let lock = NSCondition()
    private var entries: [String: Entry] = [:]
    private let settings: StudentSettings
    private let store: any ServingStorage
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
    init(settings: StudentSettings, store: any ServingStorage, queue: StudentQueue, preloaded: StudentBackend?) {
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
    /// When a background load of `name` is under way, waits for it instead of loading twice.
    @discardableResult
    func loadNow(_ name: String) -> StudentBackend? {
        let loadsHere: Bool = lock.withLock {
            if case .loading? = entries[name] {
                while case .loading? = entries[name] { lock.wait() }
                return false
            }
            if case .loaded? = entries[name] { return false }
            entries[name] = .loading
            return true
        }
        if loadsHere { load(name) }
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
        let thread = Thread { [self] in
            nameCurrentThread("retort-load")
            self.load(name)
        }
        thread.start()
    }

    private func load(_ name: String) {
        let reference: StudentReference
        do {
            reference = try StudentReference.resolve(name, store: store)
        } catch {
            finish(name, .failed("\(error)"))
            return
        }
        var versionSettings = settings
        versionSettings.model = reference.path
        let backend = StudentBackend(settings: versionSettings, queue: queue)
        switch backend.model {
        case .success: finish(name, .loaded(backend))
        case .failure(let error): finish(name, .failed("\(error)"))
        }
    }

    /// Stores how the load of `name` ended and wakes those waiting for it (``loadNow(_:)``).
    private func finish(_ name: String, _ entry: Entry) {
        lock.withLock {
            entries[name] = entry
            lock.broadcast()
        }
    }
}
