import HTTPTypes

extension HTTPFields {
    /// The value of `name` exactly as `self[name]` gives it (several fields joined with
    /// `, `), without the generic join for the usual single field: `self[name]` builds a
    /// lazy joined sequence whose types are looked up at run time on every call, and the
    /// gateway reads a handful of headers on every request.
    func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }  // more than one: join as HTTPFields does
            found = field.value
        }
        return found
    }
}
