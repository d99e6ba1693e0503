//! Body bytes → the core's hand-written JSON parser (`core::json::parse`, under every normalisation)
//! against `serde_json`: both accept the same documents and read them the same, except where
//! docs/normalisation.md departs from RFC 8259 on purpose, as PHP's `json_decode` does: a key starting
//! with U+0000 is refused, and nesting goes to 128 where `serde_json` stops at 127.
//!
//! Not in the default run (`bash scripts/fuzz.sh json_differential`): `serde_json` is instrumented
//! too, which makes it about half as fast as `normalise` and counts `serde_json`'s edges in `cov`.
//! A crash is a body, so a `body_base64` case of cases.json, as for `normalise`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value as Serde;
use solar_capture::core::json::{self, Json};

fuzz_target!(|body: &[u8]| {
    let Ok(text) = std::str::from_utf8(body) else { return };
    match (json::parse(text), serde_json::from_str::<Serde>(text)) {
        (Ok(ours), Ok(theirs)) => assert!(same(ours.root(), &theirs), "read differently from serde_json"),
        (Ok(_), Err(e)) => assert!(e.to_string().starts_with("recursion limit exceeded"), "serde_json refuses: {e}"),
        (Err(e), Ok(_)) => assert_eq!(e.problem, "object key starts with U+0000", "serde_json accepts it"),
        (Err(_), Err(_)) => {}
    }
});

/// The same value: numbers as the same text (`same_number`), objects with PHP's duplicate-key
/// semantics (`members`: each key at its first position with its last value, as `serde_json`'s
/// `preserve_order` map keeps them).
fn same(ours: Json, theirs: &Serde) -> bool {
    match (ours, theirs) {
        (Json::Null, Serde::Null) => true,
        (Json::Bool(a), Serde::Bool(b)) => a == *b,
        (Json::Number(a), Serde::Number(b)) => same_number(a, b.as_str()),
        (Json::String(a), Serde::String(b)) => a == b,
        (Json::Array(a), Serde::Array(b)) => a.items().count() == b.len() && a.items().zip(b).all(|(x, y)| same(x, y)),
        (Json::Object(a), Serde::Object(b)) => {
            let members = a.members();
            members.len() == b.len() && members.iter().zip(b).all(|((k, v), (bk, bv))| k == bk && same(*v, bv))
        }
        _ => false,
    }
}

/// The same number text, but for how `serde_json` (`arbitrary_precision`) writes an exponent: `e` and
/// always a sign (`4E2` is `4e+2`).
fn same_number(ours: &str, theirs: &str) -> bool {
    match ours.split_once(['e', 'E']) {
        None => ours == theirs,
        Some((mantissa, exponent)) => {
            let sign = if exponent.starts_with(['+', '-']) { "" } else { "+" };
            theirs == format!("{mantissa}e{sign}{exponent}")
        }
    }
}
