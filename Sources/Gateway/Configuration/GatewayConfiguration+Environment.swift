extension GatewayConfiguration {
    /// This configuration with the environment's overrides applied:
    /// `RETORT_TEACHER_URL`, `RETORT_TEACHER_API_KEY` (else `OPENAI_API_KEY`), `RETORT_DB`,
    /// `RETORT_HOST`, `RETORT_PORT`, `RETORT_ADMIN_KEY`, `RETORT_STUDENT_MODEL`,
    /// `RETORT_PUBLIC_DIR`; and the environment training processes inherit
    /// (``childEnvironment(of:)``).
    public func applyingEnvironment(_ environment: [String: String]) throws -> GatewayConfiguration {
        var c = self
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let url = nonEmpty("RETORT_TEACHER_URL") { c.teacher.url = url }
        c.teacher.apiKey = nonEmpty("RETORT_TEACHER_API_KEY") ?? nonEmpty("OPENAI_API_KEY")
        if let db = nonEmpty("RETORT_DB") { c.database = db }
        if let host = nonEmpty("RETORT_HOST") { c.host = host }
        if let port = nonEmpty("RETORT_PORT") {
            guard let value = Int(port), (0...65535).contains(value) else {
                throw ConfigurationError("RETORT_PORT must be a port number, got '\(port)'")
            }
            c.port = value
        }
        c.adminKey = nonEmpty("RETORT_ADMIN_KEY")
        if let model = nonEmpty("RETORT_STUDENT_MODEL") { c.student.model = model }
        if let folder = nonEmpty("RETORT_PUBLIC_DIR") { c.publicDirectory = folder }
        c.trainingEnvironment = Self.childEnvironment(of: environment)
        return c
    }

    /// What a training child inherits of `environment`: only what it needs (the search path,
    /// home, locale, time zone, temporary directory, library path, the BLAS and OpenMP
    /// settings and Retort's own), and never a secret (API and admin keys, tokens,
    /// passwords), which a training run does not use.
    static func childEnvironment(of environment: [String: String]) -> [String: String] {
        let names: Set = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "LD_LIBRARY_PATH"]
        let prefixes = ["LC_", "OPENBLAS_", "OMP_", "GOTO", "RETORT_"]
        let secretMarkers = ["KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL"]
        return environment.filter { name, _ in
            let upper = name.uppercased()
            guard names.contains(name) || prefixes.contains(where: name.hasPrefix) else { return false }
            return !secretMarkers.contains { upper.contains($0) }
        }
    }
}
