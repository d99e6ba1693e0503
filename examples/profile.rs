//! Times the core on the 3 KB corpus body, for profiling without PHP:
//! `cargo run --release --no-default-features --example profile [iterations] [normalize]`
//! (with `normalize`, only normalisation runs: `perf record` it to see where the time goes;
//! `BODY=file` times another body).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a test fails by panicking
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let file = std::env::var("BODY").unwrap_or_else(|_| "tests/fixtures/payloads/03_booking_rescheduled.json".into());
    let body = std::fs::read(file).expect("run from the repository root, or set BODY=file");
    let text = std::str::from_utf8(&body).expect("UTF-8 body");
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let only_normalize = std::env::args().nth(2).as_deref() == Some("normalize");
    if !only_normalize {
        let t = Instant::now();
        for _ in 0..n {
            black_box(solar_capture::core::json::parse(black_box(text)).is_ok());
        }
        println!("parse     {:?}/op", t.elapsed() / n);
    }
    let t = Instant::now();
    for _ in 0..n {
        black_box(solar_capture::core::normalize(black_box(&body), |e| e.get("start").is_some()).is_ok());
    }
    println!("normalize {:?}/op", t.elapsed() / n);
    if !only_normalize {
        let t = Instant::now();
        for _ in 0..n {
            black_box(solar_capture::core::sign(black_box(&body), b"secret").is_ok());
        }
        println!("hmac      {:?}/op", t.elapsed() / n);
    }
}
