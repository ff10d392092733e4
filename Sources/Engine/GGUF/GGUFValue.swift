/// One GGUF metadata value (facts/engine.md §2.1, value types 0–12).
public indirect enum GGUFValue: Sendable, Equatable {
    /// Type 0.
    case uint8(UInt8)
    /// Type 1.
    case int8(Int8)
    /// Type 2.
    case uint16(UInt16)
    /// Type 3.
    case int16(Int16)
    /// Type 4.
    case uint32(UInt32)
    /// Type 5.
    case int32(Int32)
    /// Type 6.
    case float32(Float)
    /// Type 7 (one byte, 0 or 1).
    case bool(Bool)
    /// Type 8.
    case string(String)
    /// Type 9: `elementType` is kept so an empty array round-trips.
    case array(elementType: UInt32, values: [GGUFValue])
    /// Type 10.
    case uint64(UInt64)
    /// Type 11.
    case int64(Int64)
    /// Type 12.
    case float64(Double)

    /// The GGUF value-type id of this value.
    public var typeID: UInt32 {
        switch self {
        case .uint8: return 0
        case .int8: return 1
        case .uint16: return 2
        case .int16: return 3
        case .uint32: return 4
        case .int32: return 5
        case .float32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .uint64: return 10
        case .int64: return 11
        case .float64: return 12
        }
    }

    /// The value as an `Int`, for any integer type that fits.
    public var intValue: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(exactly: v)
        default: return nil
        }
    }

    /// The value as a `Double`, for float and integer types.
    public var doubleValue: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return intValue.map(Double.init)
        }
    }

    /// The value as a `Bool`.
    public var boolValue: Bool? {
        if case let .bool(v) = self { return v }
        return nil
    }

    /// The value as a `String`.
    public var stringValue: String? {
        if case let .string(v) = self { return v }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [GGUFValue]? {
        if case let .array(_, values) = self { return values }
        return nil
    }

    /// The elements as strings, if this is an array of strings.
    public var stringArray: [String]? {
        guard let values = arrayValue else { return nil }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let string = value.stringValue else { return nil }
            result.append(string)
        }
        return result
    }

    /// The elements as integers, if this is an array of integers.
    public var intArray: [Int]? {
        guard let values = arrayValue else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let int = value.intValue else { return nil }
            result.append(int)
        }
        return result
    }
}

extension ByteCursor {
    /// Reads a value of GGUF type `typeID`; arrays may nest up to `depth` levels.
    mutating func readValue(typeID: UInt32, key: String, depth: Int = 0) throws -> GGUFValue {
        switch typeID {
        case 0: return .uint8(try read(UInt8.self, key))
        case 1: return .int8(try read(Int8.self, key))
        case 2: return .uint16(try read(UInt16.self, key))
        case 3: return .int16(try read(Int16.self, key))
        case 4: return .uint32(try read(UInt32.self, key))
        case 5: return .int32(try read(Int32.self, key))
        case 6: return .float32(Float(bitPattern: try read(UInt32.self, key)))
        case 7:
            let byte = try read(UInt8.self, key)
            guard byte <= 1 else { throw EngineError.invalidGGUF("bool value \(byte) for key '\(key)'") }
            return .bool(byte == 1)
        case 8: return .string(try readString("value of '\(key)'"))
        case 9: return try readArray(key: key, depth: depth)
        case 10: return .uint64(try read(UInt64.self, key))
        case 11: return .int64(try read(Int64.self, key))
        case 12: return .float64(Double(bitPattern: try read(UInt64.self, key)))
        default: throw EngineError.invalidGGUF("unknown value type \(typeID) for key '\(key)'")
        }
    }

    private mutating func readArray(key: String, depth: Int) throws -> GGUFValue {
        guard depth < 4 else { throw EngineError.invalidGGUF("arrays nested too deeply in key '\(key)'") }
        let elementType = try read(UInt32.self, "array type of '\(key)'")
        // Every element takes at least one byte, which bounds the count by what is left.
        let count = try readCount("array length of '\(key)'", limit: remaining)
        var values: [GGUFValue] = []
        values.reserveCapacity(min(count, 1 << 16))  // a corrupt count must not reserve gigabytes
        for _ in 0..<count {
            values.append(try readValue(typeID: elementType, key: key, depth: depth + 1))
        }
        return .array(elementType: elementType, values: values)
    }
}
