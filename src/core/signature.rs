//! `X-Cal-Signature-256`: lowercase hex HMAC-SHA256(secret, exact body bytes).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::error::EmptySecret;

type HmacSha256 = Hmac<Sha256>;

/// Reads a header value into the 32 signature bytes: spaces and tabs around it ignored, an optional
/// `sha256=` prefix in any case, then exactly 64 hex digits in any case. Anything else is None.
pub fn parse_header(header: &[u8]) -> Option<[u8; 32]> {
    let mut value = trim_blanks(header);
    if value.len() > 7 && value.get(..7).is_some_and(|p| p.eq_ignore_ascii_case(b"sha256=")) {
        value = value.get(7..)?;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(value, &mut out).ok()?;
    Some(out)
}

/// The header without the spaces and tabs around it (only those two).
fn trim_blanks(header: &[u8]) -> &[u8] {
    let is_blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = header.iter().position(|b| !is_blank(b)).unwrap_or(header.len());
    let end = header.iter().rposition(|b| !is_blank(b)).map_or(start, |e| e + 1);
    header.get(start..end).unwrap_or_default()
}

/// Why a header can never verify, whatever the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderProblem {
    /// Empty once spaces and tabs are trimmed.
    Missing,
    /// `no-secret-provided` (any case): what Cal.com sends when its webhook has no secret.
    NoSecretProvided,
    /// Anything else [`parse_header`] refuses.
    Malformed,
}

impl HeaderProblem {
    /// The name `SolarCapture\signature_header_problem()` answers.
    pub fn name(self) -> &'static str {
        match self {
            HeaderProblem::Missing => "missing",
            HeaderProblem::NoSecretProvided => "no_secret_provided",
            HeaderProblem::Malformed => "malformed",
        }
    }
}

/// Why `header` can never verify, or None when it is well formed (it verifies under the right secret).
pub fn header_problem(header: &[u8]) -> Option<HeaderProblem> {
    if parse_header(header).is_some() {
        return None;
    }
    let value = trim_blanks(header);
    Some(if value.is_empty() {
        HeaderProblem::Missing
    } else if value.eq_ignore_ascii_case(b"no-secret-provided") {
        HeaderProblem::NoSecretProvided
    } else {
        HeaderProblem::Malformed
    })
}

/// True when `header` is a valid signature of `body` under `secret`. Constant time in the comparison.
///
/// # Errors
/// [`EmptySecret`] for an empty secret, whatever the header.
pub fn verify(body: &[u8], header: &[u8], secret: &[u8]) -> Result<bool, EmptySecret> {
    if secret.is_empty() {
        return Err(EmptySecret);
    }
    Ok(parse_header(header).is_some_and(|expected| signature_matches(body, &expected, secret)))
}

/// Position of the first secret under which `header` verifies (secret rotation). Every secret is
/// checked for emptiness before any is tried.
///
/// # Errors
/// [`EmptySecret`] for an empty secret in the list.
pub fn matching_secret<S: AsRef<[u8]>>(
    body: &[u8],
    header: &[u8],
    secrets: &[S],
) -> Result<Option<usize>, EmptySecret> {
    if secrets.iter().any(|s| s.as_ref().is_empty()) {
        return Err(EmptySecret);
    }
    let Some(expected) = parse_header(header) else { return Ok(None) };
    Ok(secrets.iter().position(|secret| signature_matches(body, &expected, secret.as_ref())))
}

fn signature_matches(body: &[u8], expected: &[u8; 32], secret: &[u8]) -> bool {
    // new_from_slice only fails for fixed-size keys; HMAC takes any length.
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else { return false };
    mac.update(body);
    mac.verify_slice(expected).is_ok()
}

/// Lowercase hex HMAC-SHA256, for tests, tools and the demo sender.
///
/// # Errors
/// [`EmptySecret`] for an empty secret.
pub fn sign(body: &[u8], secret: &[u8]) -> Result<String, EmptySecret> {
    if secret.is_empty() {
        return Err(EmptySecret);
    }
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| EmptySecret)?;
    mac.update(body);
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Whether this CPU runs SHA-256 on hardware instructions (x86 SHA-NI or `ARMv8` SHA2), which the
/// `sha2` crate picks at run time.
pub fn sha256_uses_hardware() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::arch::is_x86_feature_detected!("sha") && std::arch::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("sha2")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const SIG: &str = "f67cacf2fb9386f5a9e3842a31182d85f4a143133ee2b717d4d66a1a62e35bc2";

    #[test]
    fn parses_the_header_forms_senders_use() {
        assert!(parse_header(SIG.as_bytes()).is_some());
        assert!(parse_header(SIG.to_uppercase().as_bytes()).is_some());
        assert!(parse_header(format!("SHA256={SIG}").as_bytes()).is_some());
        assert!(parse_header(format!(" \t{SIG}\t ").as_bytes()).is_some());
    }

    #[test]
    fn rejects_malformed_headers() {
        for bad in [
            "",
            " ",
            "no-secret-provided",
            "sha256=",
            &SIG[1..],
            &format!("{SIG}0"),
            &format!("{}g", &SIG[1..]),
            &format!("sha256= {SIG}"),
            &format!("{SIG}\n"),
            &format!("sha1={SIG}"),
        ] {
            assert!(parse_header(bad.as_bytes()).is_none(), "accepted {bad:?}");
        }
        assert!(parse_header(b"\xff\xfe").is_none());
    }

    #[test]
    fn names_the_problem_of_a_header_that_can_never_verify() {
        for (header, problem) in [
            ("", Some(HeaderProblem::Missing)),
            (" \t ", Some(HeaderProblem::Missing)),
            (" No-Secret-PROVIDED\t", Some(HeaderProblem::NoSecretProvided)),
            ("no-secret-provided\n", Some(HeaderProblem::Malformed)),
            ("sha256=", Some(HeaderProblem::Malformed)),
            (&SIG[1..], Some(HeaderProblem::Malformed)),
            (SIG, None),
            (&format!(" sha256={SIG}\t"), None),
        ] {
            assert_eq!(header_problem(header.as_bytes()), problem, "{header:?}");
        }
        assert_eq!(header_problem(b"\xff\xfe"), Some(HeaderProblem::Malformed));
    }
}
