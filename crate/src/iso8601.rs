//! A strict ISO 8601 reader for time properties: the instants a GeoJSON time column and the CLI's
//! `--time-window` accept, as milliseconds since 1970-01-01T00:00:00Z.
//!
//! Accepted: a calendar date `YYYY-MM-DD` (midnight UTC), or a date-time
//! `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z` or an offset `±hh:mm` (RFC 3339's profile
//! of ISO 8601, with `t`/`z` in either case). A date-time without a zone is refused rather than
//! guessed: JavaScript reads it as local time, which would make the same file mean different
//! instants on different machines. Leap seconds (`:60`) are refused too; field values are
//! checked (month 1-12, the days of that month in that year, hour 0-23, minute and offset
//! minute 0-59).

/// Milliseconds since the Unix epoch of `text`, or `None` when it is not one of the forms above.
pub fn parse_ms(text: &str) -> Option<f64> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = r.digits(4)?;
    r.expect(b'-')?;
    let month = r.digits(2)?;
    r.expect(b'-')?;
    let day = r.digits(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if r.done() {
        return Some(days as f64 * 86_400_000.0);
    }
    if !matches!(r.next()?, b'T' | b't') {
        return None;
    }
    let hour = r.digits(2)?;
    r.expect(b':')?;
    let minute = r.digits(2)?;
    let mut ms = 0.0;
    if r.peek() == Some(b':') {
        r.pos += 1;
        ms = f64::from(r.digits(2)?) * 1000.0;
        if ms >= 60_000.0 {
            return None;
        }
        if r.peek() == Some(b'.') {
            r.pos += 1;
            ms += r.fraction()? * 1000.0;
        }
    }
    if hour > 23 || minute > 59 {
        return None;
    }
    let offset_minutes = match r.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let (h, m) = (r.digits(2)?, {
                r.expect(b':')?;
                r.digits(2)?
            });
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = i64::from(h * 60 + m);
            if sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    if !r.done() {
        return None;
    }
    let minutes = days * 1440 + i64::from(hour * 60 + minute) - offset_minutes;
    Some(minutes as f64 * 60_000.0 + ms)
}

struct Reader<'t> {
    bytes: &'t [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut value = 0;
        for _ in 0..n {
            let b = self.next()?;
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        Some(value)
    }

    /// One or more digits after a decimal point, as a fraction in [0, 1). Digits past the
    /// fifteenth (below a femtosecond of a second) are checked but not counted.
    fn fraction(&mut self) -> Option<f64> {
        let start = self.pos;
        let (mut value, mut scale) = (0u64, 1u64);
        while let Some(b @ b'0'..=b'9') = self.peek() {
            self.pos += 1;
            if self.pos - start <= 15 {
                value = value * 10 + u64::from(b - b'0');
                scale *= 10;
            }
        }
        (self.pos > start).then(|| value as f64 / scale as f64)
    }
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_ms;

    #[test]
    fn dates_and_date_times_are_read_as_utc_milliseconds() {
        assert_eq!(parse_ms("1970-01-01"), Some(0.0));
        assert_eq!(parse_ms("1970-01-02T00:00Z"), Some(86_400_000.0));
        assert_eq!(parse_ms("2000-02-29T12:30:15.25Z"), Some(951_827_415_250.0));
        assert_eq!(
            parse_ms("2000-02-29t14:30:15.25+02:00"),
            Some(951_827_415_250.0)
        );
        assert_eq!(
            parse_ms("2000-02-29T10:00:15.25-02:30"),
            Some(951_827_415_250.0)
        );
        assert_eq!(parse_ms("1969-12-31T23:59:59.5z"), Some(-500.0));
        assert_eq!(parse_ms("2024-12-31T23:59:59Z"), Some(1_735_689_599_000.0));
        assert_eq!(parse_ms("0000-03-01"), Some(-62_162_035_200_000.0));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "2024",
            "2024-1-01",
            "2024-13-01",
            "2023-02-29",
            "2024-04-31",
            "2024-01-01T",
            "2024-01-01T10:00",
            "2024-01-01T24:00Z",
            "2024-01-01T10:60Z",
            "2024-01-01T10:00:60Z",
            "2024-01-01T10:00:00.Z",
            "2024-01-01T10:00+0100",
            "2024-01-01T10:00+01:60",
            "2024-01-01 10:00Z",
            "2024-01-01T10:00Z ",
            "+2024-01-01",
            "２０２４-01-01",
        ] {
            assert_eq!(parse_ms(bad), None, "{bad:?}");
        }
    }
}
