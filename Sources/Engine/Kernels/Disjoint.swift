/// A value handed to parallel workers that each touch a disjoint part of it.
///
/// `@unchecked Sendable`: used only for pointers into buffers whose ranges the workers
/// split between them, so no two threads write the same memory (and for buffers they
/// only read).
///
/// - Warning: The compiler no longer checks the sharing: each worker must write only its
///   own part, and nothing may free the buffer while the section runs.
public struct Disjoint<Value>: @unchecked Sendable {
    /// The wrapped pointer, buffer owner or tuple of pointers.
    public let value: Value

    /// Wraps `value` for the workers of one parallel section.
    @inlinable
    public init(_ value: Value) { self.value = value }
}
