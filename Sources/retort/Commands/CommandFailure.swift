/// A command's failure reported as `Error: <message>` without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    /// The message shown.
    let description: String
}
