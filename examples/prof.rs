use std::time::Instant;
fn main() {
    let body = std::fs::read("tests/fixtures/payloads/03_booking_rescheduled.json").unwrap();
    let text = std::str::from_utf8(&body).unwrap();
    let n = 200_000;
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(solar_capture::core::json::parse(std::hint::black_box(text)).unwrap()); }
    println!("parse {:?}/op", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(solar_capture::core::normalize(std::hint::black_box(&body)).unwrap()); }
    println!("normalize {:?}/op", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { std::hint::black_box(<sha2::Sha256 as sha2::Digest>::digest(std::hint::black_box(&body))); }
    println!("sha256 {:?}/op", t.elapsed() / n);
}
