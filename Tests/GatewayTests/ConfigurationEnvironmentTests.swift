import Gateway
import Testing

/// What the environment changes in the configuration, and what training children inherit.
@Suite struct ConfigurationEnvironmentTests {
    @Test func trainingChildrenInheritTheEnvironmentWithoutSecrets() throws {
        let environment = ["PATH": "/usr/bin", "OPENAI_API_KEY": "sk-1", "RETORT_TEACHER_API_KEY": "sk-2",
                           "RETORT_ADMIN_KEY": "admin", "HF_TOKEN": "t", "DB_PASSWORD": "p", "OPENBLAS_NUM_THREADS": "2",
                           "AWS_SESSION": "s", "DATABASE_URL": "postgres://u:p@h/db", "LC_ALL": "C.UTF-8", "RETORT_ENGINE_POOL": "1"]
        let configuration = try GatewayConfiguration().applyingEnvironment(environment)
        #expect(configuration.trainingEnvironment == ["PATH": "/usr/bin", "OPENBLAS_NUM_THREADS": "2", "LC_ALL": "C.UTF-8",
                                                       "RETORT_ENGINE_POOL": "1"])
        #expect(configuration.teacher.apiKey == "sk-2" && configuration.adminKey == "admin")
    }

    @Test func theDashboardFolderComesFromTheEnvironment() throws {
        #expect(try GatewayConfiguration().applyingEnvironment([:]).publicDirectory == "public")
        #expect(try GatewayConfiguration().applyingEnvironment(["RETORT_PUBLIC_DIR": "/srv/ui"]).publicDirectory == "/srv/ui")
    }
}
