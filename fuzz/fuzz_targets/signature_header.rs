//! An `X-Cal-Signature-256` header value → parsing, `header_problem`, `verify` and `matching_secret`,
//! against the body and secret of cases.json's `signatures` group (tests/fixtures). So the input is
//! exactly a `header_base64` case, and a crash file becomes one as it is.
//!
//! Beyond "no panic", every answer is checked against a second, simpler reading of the rule in
//! docs/normalisation.md: ASCII-lowercase the header without its spaces and tabs, then it is valid iff
//! it equals the signature, with or without `sha256=`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use solar_capture::core::{self, EmptySecret, HeaderProblem};

/// cases.json's `signature_body` and `secret`, and the signature they make (its valid cases say so).
const BODY: &[u8] = include_bytes!("../../tests/fixtures/payloads/01_booking_created.json");
const SECRET: &[u8] = b"test-secret-calcom-webhook";
const SIGNATURE: &str = "f67cacf2fb9386f5a9e3842a31182d85f4a143133ee2b717d4d66a1a62e35bc2";

fuzz_target!(|header: &[u8]| {
    let value: Vec<u8> = trim_spaces_and_tabs(header).to_ascii_lowercase();
    let hex = value.strip_prefix(b"sha256=").unwrap_or(&value);
    let well_formed = hex.len() == 64 && hex.iter().all(u8::is_ascii_hexdigit);
    let valid = hex == SIGNATURE.as_bytes();
    let problem = if well_formed {
        None
    } else if value.is_empty() {
        Some(HeaderProblem::Missing)
    } else if value == b"no-secret-provided" {
        Some(HeaderProblem::NoSecretProvided)
    } else {
        Some(HeaderProblem::Malformed)
    };

    assert_eq!(core::header_problem(header), problem);
    assert_eq!(core::verify(BODY, header, SECRET), Ok(valid));
    // Secret rotation: found at its position, and an empty secret is refused before any is tried.
    assert_eq!(core::matching_secret(BODY, header, &[b"old-secret".as_slice(), SECRET]), Ok(valid.then_some(1)));
    assert_eq!(core::matching_secret(BODY, header, &[SECRET, b"".as_slice()]), Err(EmptySecret));
    assert_eq!(core::verify(BODY, header, b""), Err(EmptySecret));
});

fn trim_spaces_and_tabs(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}
