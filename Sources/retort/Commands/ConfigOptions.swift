import ArgumentParser
import Foundation
import Gateway

/// `--config PATH`, shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (JSON). Defaults to config/retort.json when it exists.")
    var config: String?

    /// The file configuration with the environment's overrides applied.
    func load() throws -> GatewayConfiguration {
        let path = config ?? "config/retort.json"
        let file = try GatewayConfiguration.load(path: path, required: config != nil)
        return try file.applyingEnvironment(ProcessInfo.processInfo.environment)
    }
}
