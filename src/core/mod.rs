//! The pure core: no PHP types, testable with plain `cargo test --no-default-features`.
#![forbid(unsafe_code)]

pub mod error;
pub mod event;
pub mod json;
pub mod signature;
pub mod time;

pub use error::{EmptySecret, PayloadError, PayloadErrorKind};
pub use event::{normalize, Answer, Event, Field, Key, Text, Value, FIELDS};
pub use signature::{header_problem, matching_secret, sha256_uses_hardware, sign, verify, HeaderProblem};
