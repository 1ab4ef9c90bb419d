//! The virtual clock and the seeded random source. Nothing in `sim` reads the wall clock or the OS.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Default start instant of the virtual clock: fixed, so runs replay byte for byte.
pub const DEFAULT_START: &str = "2025-03-01T09:00:00Z";

/// Virtual time: milliseconds since the simulation's start instant, plus that instant.
#[derive(Clone, Debug)]
pub struct Clock {
    start: DateTime<Utc>,
    elapsed_ms: u64,
}

impl Clock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Clock {
            start,
            elapsed_ms: 0,
        }
    }
    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }
    pub(crate) fn set_elapsed(&mut self, ms: u64) {
        debug_assert!(ms >= self.elapsed_ms, "virtual time never goes backwards");
        self.elapsed_ms = ms;
    }
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }
    /// The current virtual instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.at(self.elapsed_ms)
    }
    pub fn at(&self, elapsed_ms: u64) -> DateTime<Utc> {
        self.start + chrono::Duration::milliseconds(elapsed_ms as i64)
    }
    /// Kubernetes timestamps are second precision (`metav1.Time`).
    pub fn now_time(&self) -> Time {
        Time(truncate_to_seconds(self.now()))
    }
    pub fn now_rfc3339(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

pub fn truncate_to_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp(), 0).single().unwrap_or(t)
}

/// Parses an RFC 3339 instant such as `2025-03-01T09:00:00Z`.
pub fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("invalid RFC 3339 time {s:?}: {e}"))
}

pub fn default_start() -> DateTime<Utc> {
    // The constant is valid; fall back to the epoch rather than panic.
    parse_rfc3339(DEFAULT_START).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The simulation's only source of randomness: ChaCha8, seeded, identical natively and in WASM.
#[derive(Clone, Debug)]
pub struct Rng(ChaCha8Rng);

/// Alphabet the API server uses for generated name suffixes (no vowels, no 0/1/3).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in `0..n` (n > 0), without modulo bias worth caring about for n << 2^64.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    /// `len` characters from the generateName alphabet, as `names.SimpleNameGenerator` does.
    pub fn name_suffix(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| NAME_ALPHABET[self.below(NAME_ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
    /// A random (version 4) UUID, as the API server gives every object.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8..].copy_from_slice(&b.to_be_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let h: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
    /// `n` lowercase hex digits (container IDs, image digests).
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(n);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.name_suffix(5), b.name_suffix(5));
        assert_ne!(Rng::new(7).uuid(), Rng::new(8).uuid());
    }

    #[test]
    fn uuid_shape() {
        let u = Rng::new(1).uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn suffix_alphabet() {
        let s = Rng::new(3).name_suffix(200);
        assert!(s.bytes().all(|c| NAME_ALPHABET.contains(&c)));
    }

    #[test]
    fn clock_formats_seconds() {
        let mut c = Clock::new(default_start());
        c.set_elapsed(1_500);
        assert_eq!(c.now_rfc3339(), "2025-03-01T09:00:01Z");
    }
}
