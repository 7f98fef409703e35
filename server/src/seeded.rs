//! Stable choices driven by a keyed seed (decoys, question pools) and hex text for ids.

/// Fisher-Yates driven by the seed bytes (stable, not secret-quality randomness).
pub fn shuffle<T>(items: &mut [T], seed: &[u8]) {
    for i in (1..items.len()).rev() {
        let byte = seed.get(i % seed.len().max(1)).copied().unwrap_or(0);
        let j = usize::from(byte) % (i + 1);
        items.swap(i, j);
    }
}

/// Lowercase hex of `bytes` (flow ids, secrets, subjects).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
