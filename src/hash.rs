//! The one short content hash of the project (64-bit FNV-1a): small,
//! stable across builds and platforms, for cache busting and for telling
//! versions of a decision tree apart. Not for anything an attacker picks.

/// The first `digits` (at most 16) hexadecimal digits of the FNV-1a hash
/// of `bytes`.
pub fn short_hex(bytes: &[u8], digits: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut hex = format!("{hash:016x}");
    hex.truncate(digits.min(16));
    hex
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_fnv1a_values() {
        assert_eq!(super::short_hex(b"", 16), "cbf29ce484222325");
        assert_eq!(super::short_hex(b"a", 16), "af63dc4c8601ec8c");
        assert_eq!(super::short_hex(b"a", 8), "af63dc4c");
    }
}
