//! Solar Capture: verifies Cal.com webhook signatures and normalises their bodies.
//!
//! `core` is plain Rust. `php` (feature `php`, on by default) is the ext-php-rs layer that exposes it
//! as the PHP extension `solar_capture`; it only converts types and errors.

pub mod core;

#[cfg(feature = "php")]
mod php;

/// The crate version, which is also the extension's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
