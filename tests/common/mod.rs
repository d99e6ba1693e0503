//! Shared by the Rust tests: the corpus in tests/fixtures and the event as JSON.
#![allow(dead_code)] // each test target uses a part
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a test fails by panicking
#![allow(clippy::cast_possible_truncation)] // base64 bits and fixture counts

use serde_json::{json, Value};
use solar_capture::core::{self, Answer, Event, Field, Key};
use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn cases() -> Value {
    let text = std::fs::read_to_string(fixtures().join("cases.json")).expect("tests/fixtures/cases.json");
    serde_json::from_str(&text).expect("cases.json is JSON")
}

/// A case's body: `body` (text), `body_base64` (bytes) or `body_repeat` (prefix + unit x count + suffix).
pub fn body_of(case: &Value) -> Vec<u8> {
    if let Some(text) = case["body"].as_str() {
        return text.as_bytes().to_vec();
    }
    if let Some(b64) = case["body_base64"].as_str() {
        return base64_decode(b64);
    }
    let r = &case["body_repeat"];
    let count = r["count"].as_u64().expect("count") as usize;
    let mut out = r["prefix"].as_str().expect("prefix").as_bytes().to_vec();
    out.extend(r["unit"].as_str().expect("unit").repeat(count).as_bytes());
    out.extend(r["suffix"].as_str().expect("suffix").as_bytes());
    out
}

pub fn header_of(case: &Value) -> Vec<u8> {
    match case["header"].as_str() {
        Some(text) => text.as_bytes().to_vec(),
        None => base64_decode(case["header_base64"].as_str().expect("header or header_base64")),
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|&c| c != b'=') {
        bits = (bits << 6) | ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn key(k: &Key) -> String {
    match k {
        Key::Int(n) => n.to_string(),
        Key::Str(s) => s.to_string(),
    }
}

/// The event as PHP's `json_encode` of the extension's array would show it.
pub fn event_json(e: &Event<'_>) -> Value {
    Value::Object(
        e.entries().map(|(field, value)| (field.key.to_string(), value_json(value, field.nested()))).collect(),
    )
}

/// One value; `nested` names the values of a record.
fn value_json(value: &core::Value<'_>, nested: &[Field]) -> Value {
    match value {
        core::Value::Null => Value::Null,
        core::Value::Int(n) => json!(n),
        core::Value::Text(t) => json!(t),
        core::Value::List(items) => json!(items),
        core::Value::Record(values) => {
            Value::Object(nested.iter().zip(values).map(|(f, v)| (f.key.to_string(), json!(v))).collect())
        }
        core::Value::Map(entries) => Value::Object(entries.iter().map(|(k, a)| (key(k), answer_json(a))).collect()),
    }
}

fn answer_json(answer: &Answer<'_>) -> Value {
    match answer {
        Answer::Null => Value::Null,
        Answer::Bool(b) => json!(b),
        Answer::Text(t) => json!(t),
        Answer::List(items) => json!(items),
    }
}

/// Every corpus body: (name relative to payloads/, bytes), in file-name order.
pub fn corpus_bodies() -> Vec<(String, Vec<u8>)> {
    let dir = fixtures().join("payloads");
    let mut out = Vec::new();
    for sub in ["", "extra/"] {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(sub))
            .expect("payloads dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| [".json", ".txt"].iter().any(|ext| n.ends_with(ext)) && n.as_bytes()[0].is_ascii_digit())
            .collect();
        names.sort();
        for n in names {
            let bytes = std::fs::read(dir.join(sub).join(&n)).expect("body");
            out.push((format!("{sub}{n}"), bytes));
        }
    }
    out
}

/// The golden file of a corpus body: golden/<name without extension>.json.
pub fn golden_path(name: &str) -> PathBuf {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    fixtures().join("golden").join(format!("{stem}.json"))
}
