//! The shared corpus (tests/fixtures) against the Rust core. tests/php/EngineTest.php runs the same
//! corpus against both PHP-facing engines.

mod common;

use common::*;
use serde_json::{json, Value};
use solar_capture::core::{self, PayloadErrorKind};

fn kind_name(kind: PayloadErrorKind) -> &'static str {
    kind.name()
}

#[test]
fn every_corpus_body_matches_its_golden() {
    let bodies = corpus_bodies();
    assert!(bodies.len() >= 18, "corpus went missing: {}", bodies.len());
    for (name, body) in bodies {
        let path = golden_path(&name);
        let golden: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no golden {path:?}")))
                .expect("golden JSON");
        let actual = match core::normalize(&body, |event| event_json(&event)) {
            Ok(json) => json,
            Err(e) => json!({"error": kind_name(e.kind)}),
        };
        assert_eq!(actual, golden, "{name} differs from {path:?}");
        // Key order is part of the contract: compare it too.
        if let (Some(a), Some(g)) = (actual.as_object(), golden.as_object()) {
            assert!(a.keys().eq(g.keys()), "{name}: key order differs");
        }
    }
}

#[test]
fn every_manifest_signature_verifies() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("payloads/MANIFEST.json")).expect("manifest"))
            .expect("json");
    let secret = manifest["secret"].as_str().expect("secret").as_bytes();
    let entries = manifest["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 18);
    for entry in entries {
        let body =
            std::fs::read(fixtures().join("payloads").join(entry["file"].as_str().expect("file"))).expect("body");
        let header = entry["headers"]["X-Cal-Signature-256"].as_str().expect("sig").as_bytes();
        assert_eq!(core::verify(&body, header, secret), Ok(true), "{}", entry["file"]);
        assert_eq!(core::verify(&body, header, b"wrong-secret"), Ok(false));
        let mut tampered = body.clone();
        tampered.push(b' ');
        assert_eq!(core::verify(&tampered, header, secret), Ok(false));
    }
}

#[test]
fn signature_header_cases() {
    let cases = cases();
    let body = std::fs::read(fixtures().join(cases["signature_body"].as_str().expect("body"))).expect("body");
    let secret = cases["secret"].as_str().expect("secret").as_bytes();
    for case in cases["signatures"].as_array().expect("signatures") {
        let header = header_of(case);
        let valid = case["valid"].as_bool().expect("valid");
        assert_eq!(core::verify(&body, &header, secret), Ok(valid), "{}", case["name"]);
        let expected_index = valid.then_some(1);
        assert_eq!(
            core::matching_secret(&body, &header, &[b"old".as_slice(), secret]),
            Ok(expected_index),
            "{}",
            case["name"]
        );
        assert_eq!(core::verify(&body, &header, b""), Err(core::EmptySecret), "{}", case["name"]);
        let problem = core::header_problem(&header).map(core::HeaderProblem::name);
        assert_eq!(problem, case["problem"].as_str(), "{}", case["name"]);
        assert!(case.get("problem").is_some(), "{}: no problem expectation", case["name"]);
    }
}

#[test]
fn matching_secret_rules() {
    let body = b"{}";
    let sig = core::sign(body, b"new").expect("sign");
    assert_eq!(core::matching_secret::<&[u8]>(body, sig.as_bytes(), &[]), Ok(None));
    assert_eq!(core::matching_secret(body, sig.as_bytes(), &[b"new".as_slice(), b"new"]), Ok(Some(0)));
    assert_eq!(core::matching_secret(body, sig.as_bytes(), &[b"a".as_slice(), b"b"]), Ok(None));
    assert_eq!(core::matching_secret(body, sig.as_bytes(), &[b"new".as_slice(), b""]), Err(core::EmptySecret));
    assert_eq!(core::matching_secret(body, b"garbage", &[b"".as_slice()]), Err(core::EmptySecret));
}

#[test]
fn rfc_4231_hmac_sha256_vectors() {
    let vectors: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("rfc4231.json")).expect("vectors"))
            .expect("json");
    let vectors = vectors["vectors"].as_array().expect("vectors");
    assert_eq!(vectors.len(), 7);
    for v in vectors {
        let key = hex::decode(v["key"].as_str().expect("key")).expect("hex");
        let data = hex::decode(v["data"].as_str().expect("data")).expect("hex");
        let mac = v["hmac_sha256"].as_str().expect("mac");
        if v["truncate_to_bytes"].is_null() {
            assert_eq!(core::sign(&data, &key).as_deref(), Ok(mac), "{}", v["case"]);
            assert_eq!(core::verify(&data, mac.as_bytes(), &key), Ok(true), "{}", v["case"]);
        } else {
            // Case 5 publishes only 128 bits; the full MAC must start with them.
            assert!(core::sign(&data, &key).expect("sign").starts_with(mac), "{}", v["case"]);
        }
    }
}

#[test]
fn bad_bodies_give_the_contract_code_and_a_safe_message() {
    for case in cases()["normalize_errors"].as_array().expect("normalize_errors") {
        let name = case["name"].as_str().expect("name");
        let err = core::normalize(&body_of(case), |_| ()).expect_err(name);
        assert_eq!(kind_name(err.kind), case["code"].as_str().expect("code"), "{name}: {}", err.message);
        if let Some(path) = case["path"].as_str() {
            assert!(
                err.message.starts_with(&format!("{path}:")),
                "{name}: message {:?} does not name {path}",
                err.message
            );
        }
        assert!(!err.message.contains("MARKER"), "{name}: message echoes the body");
        assert!(err.message.len() < 300, "{name}: message too long");
    }
}

#[test]
fn edge_cases_normalise_as_the_rules_say() {
    for case in cases()["normalize_ok"].as_array().expect("normalize_ok") {
        let name = case["name"].as_str().expect("name");
        let body = body_of(case);
        let actual = core::normalize(&body, |event| event_json(&event)).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (key, expected) in case["expect"].as_object().expect("expect") {
            if key == "event_key_is_body_sha256" {
                assert_eq!(actual["event_key"], actual["body_sha256"], "{name}");
                continue;
            }
            assert_eq!(&actual[key], expected, "{name}: {key}");
        }
    }
}
