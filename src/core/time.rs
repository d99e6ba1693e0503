//! RFC 3339 times as Cal.com sends them (`Z`, `.000Z`, `+00:00`), to Unix time.

/// An instant read from an RFC 3339 string: whole Unix seconds (floor) and the first three
/// fraction digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    /// Whole Unix seconds, rounded down (also before 1970).
    pub unix_seconds: i64,
    /// The first three digits of the fraction (0 to 999).
    pub millis: i64,
}

impl Instant {
    /// Unix milliseconds, the fraction cut after three digits.
    pub fn unix_millis(self) -> i64 {
        self.unix_seconds * 1000 + self.millis
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T`/`Z` in either case, a real calendar date,
/// seconds 00-59. None when the text is anything else.
pub fn parse_rfc3339(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, expected: &[u8]| b.get(i).is_some_and(|c| expected.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut pos = 19;
    let mut millis = 0;
    if at(pos, b".") {
        pos += 1;
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 3 {
                millis = millis * 10 + i64::from(b.get(pos).copied().unwrap_or(b'0') - b'0');
            }
            pos += 1;
        }
        let read = pos - start;
        if read == 0 {
            return None;
        }
        for _ in read..3 {
            millis *= 10;
        }
    }
    let offset_seconds = match b.get(pos) {
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if pos + 6 == b.len() && at(pos + 3, b":") => {
            let (oh, om) = (num(pos + 1, 2)?, num(pos + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let magnitude = oh * 3600 + om * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let unix_seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(Instant { unix_seconds, millis })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<i64> {
        parse_rfc3339(text).map(|i| i.unix_seconds)
    }

    #[test]
    fn reads_the_three_forms_cal_com_sends() {
        assert_eq!(secs("2024-01-01T10:00:00Z"), Some(1_704_103_200));
        assert_eq!(secs("2024-01-01T10:00:00.000Z"), Some(1_704_103_200));
        assert_eq!(secs("2024-01-01T10:00:00+00:00"), Some(1_704_103_200));
    }

    #[test]
    fn applies_the_offset() {
        assert_eq!(secs("2024-01-01T12:30:00+02:30"), Some(1_704_103_200));
        assert_eq!(secs("2024-01-01T05:00:00-05:00"), Some(1_704_103_200));
    }

    #[test]
    fn cuts_fractions_instead_of_rounding() {
        let i = parse_rfc3339("2025-01-15T10:00:00.1239Z");
        assert_eq!(i.map(Instant::unix_millis), Some(1_736_935_200_123));
        assert_eq!(parse_rfc3339("2025-01-15T10:00:00.5Z").map(Instant::unix_millis), Some(1_736_935_200_500));
        assert_eq!(secs("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.999Z").map(Instant::unix_millis), Some(-1));
    }

    #[test]
    fn knows_the_calendar() {
        assert!(secs("2024-02-29T00:00:00Z").is_some());
        assert!(secs("2023-02-29T00:00:00Z").is_none());
        assert!(secs("1900-02-29T00:00:00Z").is_none());
        assert!(secs("2000-02-29T00:00:00Z").is_some());
        assert!(secs("2024-04-31T00:00:00Z").is_none());
        assert_eq!(secs("0001-01-01T00:00:00Z"), Some(-62_135_596_800));
        assert_eq!(secs("9999-12-31T23:59:59Z"), Some(253_402_300_799));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "2024-01-01",
            "2024-01-01T10:00:00",
            "2024-01-01 10:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-00T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T10:60:00Z",
            "2024-01-01T10:00:60Z",
            "2024-01-01T10:00:00.Z",
            "2024-01-01T10:00:00+0000",
            "2024-01-01T10:00:00+24:00",
            "2024-01-01T10:00:00Zx",
            "+2024-01-01T10:00:00Z",
            "２024-01-01T10:00:00Z",
            "2024-01-01T10:00:00+01:60",
            "1704103200",
        ] {
            assert_eq!(secs(bad), None, "accepted {bad:?}");
        }
        assert!(secs("2024-01-01t10:00:00z").is_some());
    }
}
