//! The core's errors. The PHP layer turns each into one PHP exception (see `src/php.rs`).

use std::fmt;

/// Which kind of unusable body; the numbers are `SolarCapture\PayloadException`'s codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadErrorKind {
    /// Not strict RFC 8259 JSON in UTF-8, or nested deeper than 128.
    NotJson = 1,
    /// JSON, but not a Cal.com event (see docs/normalisation.md).
    NotAnEvent = 2,
    /// A body rendered from a Cal.com custom payload template.
    CustomTemplate = 3,
}

impl PayloadErrorKind {
    /// The constant name in `SolarCapture\PayloadException`.
    pub fn name(self) -> &'static str {
        match self {
            PayloadErrorKind::NotJson => "NOT_JSON",
            PayloadErrorKind::NotAnEvent => "NOT_AN_EVENT",
            PayloadErrorKind::CustomTemplate => "CUSTOM_TEMPLATE",
        }
    }
}

/// An unusable body. The message names the place and the problem, never the body's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    /// Which kind of unusable body: the exception code.
    pub kind: PayloadErrorKind,
    /// What is wrong and where, e.g. `payload.startTime: not an RFC 3339 time`.
    pub message: String,
}

impl PayloadError {
    /// An error of this kind with this message.
    pub fn new(kind: PayloadErrorKind, message: impl Into<String>) -> Self {
        PayloadError { kind, message: message.into() }
    }

    /// A field of the wrong type or value: `NOT_AN_EVENT` naming the path.
    pub fn field(path: &str, problem: &str) -> Self {
        PayloadError::new(PayloadErrorKind::NotAnEvent, format!("{path}: {problem}"))
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PayloadError {}

/// An empty HMAC secret: always a programming or configuration error, never a bad delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptySecret;

impl fmt::Display for EmptySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the webhook secret must not be empty: set the same shared secret in Cal.com and in Solar Capture")
    }
}

impl std::error::Error for EmptySecret {}
