//! The shared corpus (tests/fixtures) against the Rust core, one named test per case so that one
//! failure hides none of the others: `cargo test --test corpus -- normalize_ok::` runs a group,
//! `-- --list` lists them. tests/php/EngineTest.php runs the same corpus against both PHP-facing engines.
//!
//! Groups: `signatures::` (cases.json), `normalize_errors::`, `normalize_ok::`, `payloads::` (each corpus
//! body against its golden file and its signed delivery in MANIFEST.json), `rfc4231::` (HMAC vectors),
//! and `rules::` for the few rules that are not a list of cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a test fails by panicking

mod common;

use common::{body_of, cases, corpus_bodies, event_json, fixtures, golden_path, header_of};
use libtest_mimic::{Arguments, Trial};
use serde_json::{json, Value};
use solar_capture::core::{self, HeaderProblem};
use std::collections::HashSet;

fn main() {
    let args = Arguments::from_args();
    let mut tests = Tests::default();
    signature_cases(&mut tests);
    body_cases(&mut tests);
    payloads(&mut tests);
    rfc_4231(&mut tests);
    tests.add("rules", "matching_secret_rules", matching_secret_rules);
    libtest_mimic::run(&args, tests.trials).exit();
}

/// The trials, each named `group::case_name`; a name that repeats gets a number.
#[derive(Default)]
struct Tests {
    trials: Vec<Trial>,
    names: HashSet<String>,
}

impl Tests {
    fn add(&mut self, group: &str, case: &str, test: impl FnOnce() + Send + 'static) {
        let base = format!("{group}::{}", slug(case));
        let mut name = base.clone();
        for n in 2.. {
            if self.names.insert(name.clone()) {
                break;
            }
            name = format!("{base}_{n}");
        }
        self.trials.push(Trial::test(name, move || {
            test();
            Ok(())
        }));
    }
}

/// A case name as a test name: lowercase ASCII letters and digits, runs of anything else as one `_`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

fn name_of(case: &Value) -> String {
    case["name"].as_str().expect("every case has a name").to_string()
}

fn signature_cases(tests: &mut Tests) {
    let cases = cases();
    let body = std::fs::read(fixtures().join(cases["signature_body"].as_str().expect("body"))).expect("body");
    let secret = cases["secret"].as_str().expect("secret").as_bytes().to_vec();
    let list = cases["signatures"].as_array().expect("signatures");
    assert!(list.len() >= 20, "signature cases went missing: {}", list.len());
    for case in list.clone() {
        let (body, secret) = (body.clone(), secret.clone());
        tests.add("signatures", &name_of(&case), move || {
            let header = header_of(&case);
            let valid = case["valid"].as_bool().expect("valid");
            assert_eq!(core::verify(&body, &header, &secret), Ok(valid));
            assert_eq!(core::matching_secret(&body, &header, &[b"old".as_slice(), &secret]), Ok(valid.then_some(1)));
            assert_eq!(core::verify(&body, &header, b""), Err(core::EmptySecret));
            assert!(case.get("problem").is_some(), "no `problem` expectation");
            assert_eq!(core::header_problem(&header).map(HeaderProblem::name), case["problem"].as_str());
            // A header with a problem never verifies; one without it is well formed.
            assert!(!(valid && core::header_problem(&header).is_some()));
        });
    }
}

fn body_cases(tests: &mut Tests) {
    let cases = cases();
    for case in cases["normalize_errors"].as_array().expect("normalize_errors").clone() {
        tests.add("normalize_errors", &name_of(&case), move || {
            let Err(err) = core::normalize(&body_of(&case), |_| ()) else { panic!("normalised a bad body") };
            assert_eq!(err.kind.name(), case["code"].as_str().expect("code"), "{}", err.message);
            if let Some(path) = case["path"].as_str() {
                assert!(err.message.starts_with(&format!("{path}:")), "message {:?} does not name {path}", err.message);
            }
            assert!(!err.message.contains("MARKER"), "message echoes the body");
            assert!(err.message.len() < 300, "message too long");
        });
    }
    for case in cases["normalize_ok"].as_array().expect("normalize_ok").clone() {
        tests.add("normalize_ok", &name_of(&case), move || {
            let actual = core::normalize(&body_of(&case), |event| event_json(&event)).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                actual.as_object().is_some_and(|a| a.keys().eq(CONTRACT_KEYS.iter())),
                "keys or their order differ"
            );
            for (key, expected) in case["expect"].as_object().expect("expect") {
                if key == "event_key_is_body_sha256" {
                    assert_eq!(actual["event_key"], actual["body_sha256"]);
                    continue;
                }
                assert_eq!(&actual[key], expected, "{key}");
            }
        });
    }
}

/// Contract section 2's keys, in order.
const CONTRACT_KEYS: [&str; 24] = [
    "trigger",
    "created_at",
    "created_at_ms",
    "booking_uid",
    "rescheduled_from_uid",
    "booking_id",
    "status",
    "title",
    "event_type",
    "event_type_id",
    "start",
    "end",
    "attendee",
    "guests",
    "organizer",
    "location",
    "cancellation_reason",
    "rejection_reason",
    "reschedule_reason",
    "metadata",
    "lead_id",
    "responses",
    "event_key",
    "body_sha256",
];

fn payloads(tests: &mut Tests) {
    let bodies = corpus_bodies();
    assert!(bodies.len() >= 18, "corpus went missing: {}", bodies.len());
    for (name, body) in bodies {
        tests.add("payloads", &format!("{name}_golden"), move || {
            let path = golden_path(&name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no golden {}", path.display()));
            let golden: Value = serde_json::from_str(&text).expect("golden JSON");
            let actual = match core::normalize(&body, |event| event_json(&event)) {
                Ok(json) => json,
                Err(e) => json!({"error": e.kind.name()}),
            };
            assert_eq!(actual, golden, "differs from {}", path.display());
            // Key order is part of the contract: compare it too.
            if let (Some(a), Some(g)) = (actual.as_object(), golden.as_object()) {
                assert!(a.keys().eq(g.keys()), "key order differs");
            }
        });
    }
    let text = std::fs::read_to_string(fixtures().join("payloads/MANIFEST.json")).expect("manifest");
    let manifest: Value = serde_json::from_str(&text).expect("manifest JSON");
    let entries = manifest["entries"].as_array().expect("entries").clone();
    assert_eq!(entries.len(), 18);
    let secret = manifest["secret"].as_str().expect("secret").as_bytes().to_vec();
    for entry in entries {
        let file = entry["file"].as_str().expect("file").to_string();
        let secret = secret.clone();
        tests.add("payloads", &format!("{file}_signature"), move || {
            let body = std::fs::read(fixtures().join("payloads").join(&file)).expect("body");
            let header = entry["headers"]["X-Cal-Signature-256"].as_str().expect("signature").as_bytes();
            assert_eq!(core::verify(&body, header, &secret), Ok(true));
            assert_eq!(core::header_problem(header), None);
            assert_eq!(core::verify(&body, header, b"wrong-secret"), Ok(false));
            let mut tampered = body.clone();
            tampered.push(b' ');
            assert_eq!(core::verify(&tampered, header, &secret), Ok(false));
        });
    }
}

fn rfc_4231(tests: &mut Tests) {
    let text = std::fs::read_to_string(fixtures().join("rfc4231.json")).expect("vectors");
    let vectors: Value = serde_json::from_str(&text).expect("vectors JSON");
    let vectors = vectors["vectors"].as_array().expect("vectors").clone();
    assert_eq!(vectors.len(), 7);
    for v in vectors {
        let case = format!("case_{}", v["case"].as_str().expect("case"));
        tests.add("rfc4231", &case, move || {
            let key = hex::decode(v["key"].as_str().expect("key")).expect("hex");
            let data = hex::decode(v["data"].as_str().expect("data")).expect("hex");
            let mac = v["hmac_sha256"].as_str().expect("mac");
            if v["truncate_to_bytes"].is_null() {
                assert_eq!(core::sign(&data, &key).as_deref(), Ok(mac));
                assert_eq!(core::verify(&data, mac.as_bytes(), &key), Ok(true));
            } else {
                // Case 5 publishes only 128 bits; the full MAC must start with them.
                assert!(core::sign(&data, &key).expect("sign").starts_with(mac));
            }
        });
    }
}

fn matching_secret_rules() {
    let body = b"{}";
    let sig = core::sign(body, b"new").expect("sign");
    assert_eq!(core::matching_secret::<&[u8]>(body, sig.as_bytes(), &[]), Ok(None));
    assert_eq!(core::matching_secret(body, sig.as_bytes(), &[b"new".as_slice(), b"new"]), Ok(Some(0)));
    assert_eq!(core::matching_secret(body, sig.as_bytes(), &[b"a".as_slice(), b"b"]), Ok(None));
    assert_eq!(core::matching_secret(body, sig.as_bytes(), &[b"new".as_slice(), b""]), Err(core::EmptySecret));
    assert_eq!(core::matching_secret(body, b"garbage", &[b"".as_slice()]), Err(core::EmptySecret));
}
