//! Raw webhook body bytes → `core::normalize`, what `SolarCapture\normalize_payload()` runs in the
//! extension. A panic (index, overflow: the build has overflow checks), a hang or a broken property
//! below is a crash. So the input is exactly a `body_base64` case of cases.json.
#![no_main]

use libfuzzer_sys::fuzz_target;
use solar_capture::core::{self, json, PayloadErrorKind, Value};

fuzz_target!(|body: &[u8]| {
    let result = core::normalize(body, |event| {
        // The hashes are lowercase hex, the trigger is never empty: the plugin keys its storage on them.
        for key in ["event_key", "body_sha256"] {
            assert!(matches!(event.get(key), Some(Value::Text(t)) if is_hex64(t)), "{key} is not 64 hex digits");
        }
        assert!(matches!(event.get("trigger"), Some(Value::Text(t)) if !t.is_empty()), "empty trigger");
    });
    let kind = result.as_ref().err().map(|e| e.kind);
    if let Err(e) = &result {
        // The message goes into the delivery log and the HTTP answer: present and short.
        assert!(!e.message.is_empty() && e.message.len() < 300, "message of {} bytes", e.message.len());
    }
    // normalize parses keeping only the members it reads: what is JSON must not depend on that. A body
    // the full parse refuses (or not UTF-8) is NOT_JSON, or CUSTOM_TEMPLATE when it looks form-urlencoded.
    if std::str::from_utf8(body).is_ok_and(|text| json::parse(text).is_ok()) {
        assert_ne!(kind, Some(PayloadErrorKind::NotJson), "NOT_JSON for a body the full parse accepts");
    } else {
        assert!(matches!(kind, Some(PayloadErrorKind::NotJson | PayloadErrorKind::CustomTemplate)), "{kind:?}");
    }
});

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
