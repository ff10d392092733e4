/// A hash that is the same in every process and on every platform, for sticky assignment.
///
/// Swift's `Hasher` is seeded randomly per process, so it cannot be used where a key must
/// land in the same bucket after a restart or on another replica.
public enum StableHash {
    /// FNV-1a 64 over the UTF-8 bytes, then the MurmurHash3 `fmix64` finalizer.
    ///
    /// FNV-1a alone mixes its low bits poorly for keys that differ only in their last
    /// characters ("user-1", "user-2"); the finalizer spreads every input bit over the
    /// output, so `hash % 10_000` is close to uniform.
    /// Reference: FNV (http://www.isthe.com/chongo/tech/comp/fnv/), MurmurHash3 `fmix64`.
    public static func fnv1a64Mixed(_ text: String) -> UInt64 {
        mix(fnv1a64(text))
    }

    /// Plain FNV-1a 64 over the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // offset basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3  // FNV prime
        }
        return hash
    }

    /// MurmurHash3's 64-bit finalizer.
    public static func mix(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
