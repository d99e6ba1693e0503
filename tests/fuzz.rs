//! Bounded mutation fuzzing of normalisation and header parsing (a property test that runs in CI).
//! `FUZZ_SECONDS` (default 10) bounds the time, `FUZZ_SEED` picks the sequence. Properties: no panic, no
//! hang, a result that is either an event with well-formed hashes or an error of one of the three kinds;
//! a signature made for a body verifies and any change to it does not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a test fails by panicking
#![allow(clippy::cast_possible_truncation)] // random bytes are truncated random words

mod common;

use common::*;
use solar_capture::core::{self, PayloadErrorKind};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"\\udc00",
    b"-0",
    b"1e400",
    b"1.50",
    b"null",
    b"true",
    b"false",
    b"\"\"",
    b"\"uid\":\"\"",
    b"\"metadata\":{\"lead_id\":7}",
    b"\"attendees\":[null,5]",
    b"\xff",
    b"\x00",
    b"=",
    b" ",
    b"\"startTime\":\"2024-02-30T00:00:00Z\"",
    b"\"createdAt\":\"1969-12-31T23:59:59.999-23:59\"",
    b"99999999999999999999",
    b"\"payload\":null",
    b"\xf0\x9f\x8c\x9e",
    b"\xe2\x82",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut body = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(3) {
        let at = rng.below(body.len() + 1);
        match rng.below(5) {
            0 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                body.splice(at..at, t.iter().copied());
            }
            1 => {
                let end = (at + 1 + rng.below(20)).min(body.len());
                body.drain(at.min(end)..end);
            }
            2 => {
                if let Some(b) = body.get_mut(at) {
                    *b = rng.next() as u8;
                }
            }
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                body.truncate(at);
                body.extend_from_slice(&other[from..]);
            }
            _ => {
                let depth = rng.below(300);
                let mut nest = b"[".repeat(depth);
                nest.extend(b"]".repeat(rng.below(depth + 1)));
                body.splice(at..at, nest);
            }
        }
    }
    body
}

fn budget() -> Duration {
    Duration::from_secs(std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10))
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5014_CA97)
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[test]
fn normalisation_never_panics_and_always_classifies() {
    let mut seeds: Vec<Vec<u8>> = corpus_bodies().into_iter().map(|(_, b)| b).collect();
    let cases = cases();
    for group in ["normalize_errors", "normalize_ok"] {
        for case in cases[group].as_array().expect("cases") {
            let body = body_of(case);
            if body.len() < 100_000 {
                seeds.push(body);
            }
        }
    }
    let mut rng = Rng(seed());
    let started = Instant::now();
    let mut runs = 0u64;
    let (mut ok, mut errors) = (0u64, [0u64; 3]);
    while started.elapsed() < budget() {
        let body = mutate(&mut rng, &seeds);
        match core::normalize(&body, |event| event_json(&event)) {
            Ok(event) => {
                ok += 1;
                assert!(
                    is_hex64(event["event_key"].as_str().unwrap_or(""))
                        && is_hex64(event["body_sha256"].as_str().unwrap_or(""))
                );
                assert!(!event["trigger"].as_str().unwrap_or("").is_empty());
                assert_eq!(
                    core::normalize(&body, |again| event_json(&again)).as_ref(),
                    Ok(&event),
                    "not deterministic"
                );
            }
            Err(e) => {
                errors[e.kind as usize - 1] += 1;
                assert!(!e.message.is_empty() && e.message.len() < 300, "{:?}", e.message);
                if e.kind == PayloadErrorKind::NotJson {
                    assert!(
                        std::str::from_utf8(&body).map_or(true, |t| serde_json::from_str::<serde_json::Value>(t)
                            .is_err()
                            || t.contains("\\u0000")
                            || t.contains('[')
                            || t.contains('{')),
                        "NOT_JSON for a body serde_json accepts without nesting or NUL keys"
                    );
                }
            }
        }
        runs += 1;
    }
    println!(
        "fuzz normalize: {runs} bodies in {:?}: {ok} events, {} NOT_JSON, {} NOT_AN_EVENT, {} CUSTOM_TEMPLATE",
        started.elapsed(),
        errors[0],
        errors[1],
        errors[2]
    );
    assert!(runs > 1000, "fuzzing ran only {runs} bodies");
    assert!(ok > 0 && errors.iter().all(|&n| n > 0), "mutations did not reach every outcome: {ok} {errors:?}");
}

#[test]
fn signatures_verify_exactly_their_body_and_secret() {
    let mut rng = Rng(seed() ^ 0xFFFF);
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget() / 2 {
        let body: Vec<u8> = (0..rng.below(2000)).map(|_| rng.next() as u8).collect();
        let secret: Vec<u8> = (0..=rng.below(100)).map(|_| rng.next() as u8).collect();
        let sig = core::sign(&body, &secret).expect("secret is not empty");
        assert_eq!(core::verify(&body, sig.as_bytes(), &secret), Ok(true));
        let mut other = sig.clone().into_bytes();
        let i = rng.below(other.len());
        other[i] = if other[i] == b'0' { b'1' } else { b'0' };
        assert_eq!(core::verify(&body, &other, &secret), Ok(false));
        // Random header bytes: never an error, practically never valid.
        let junk: Vec<u8> = (0..rng.below(80)).map(|_| rng.next() as u8).collect();
        assert_eq!(core::verify(&body, &junk, &secret), Ok(false));
        runs += 1;
    }
    println!("fuzz signatures: {runs} rounds");
    assert!(runs > 1000);
}
