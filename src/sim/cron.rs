//! CronJob schedules as Kubernetes parses them: robfig/cron v3 `ParseStandard` (five fields, names,
//! lists, ranges, steps, the `@hourly`-style descriptors and `@every <duration>`, an optional
//! `TZ=`/`CRON_TZ=` prefix), its `Next`, and the time zones the simulation knows without a tz
//! database (UTC and zones with a fixed offset today).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

/// robfig's "the field was `*` or `?`" marker: day-of-month / day-of-week matching uses it.
const STAR: u64 = 1 << 63;

#[derive(Clone, Copy)]
struct Bounds {
    min: u32,
    max: u32,
    names: &'static [(&'static str, u32)],
}

const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// The five fields as bit sets (bit n = value n), with `STAR` where the field was `*`/`?`.
    Spec {
        minute: u64,
        hour: u64,
        dom: u64,
        month: u64,
        dow: u64,
        offset_secs: i32,
    },
    /// `@every D`: D rounded down to whole seconds, at least 1 s.
    Every { secs: i64 },
}

fn bits(start: u32, end: u32, step: u32) -> u64 {
    if step == 1 {
        return (!(u64::MAX << (end + 1))) & (u64::MAX << start);
    }
    let mut b = 0;
    let mut i = start;
    while i <= end {
        b |= 1 << i;
        i += step;
    }
    b
}

/// `strconv.Atoi` plus robfig's `mustParseInt` words.
fn must_parse_int(expr: &str) -> Result<u32, String> {
    let digits = expr.strip_prefix(['+', '-']).unwrap_or(expr);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": invalid syntax"
        ));
    }
    let n: i64 = match expr.parse::<i64>() {
        Ok(n) if (i64::from(i32::MIN) * 4..=i64::from(i32::MAX) * 4).contains(&n) => n,
        _ => {
            return Err(format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": value out of range"
        ))
        }
    };
    if n < 0 {
        return Err(format!("negative number ({n}) not allowed: {expr}"));
    }
    u32::try_from(n).map_err(|_| {
        format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": value out of range"
        )
    })
}

fn int_or_name(expr: &str, r: Bounds) -> Result<u32, String> {
    let lower = expr.to_ascii_lowercase();
    if let Some((_, v)) = r.names.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    must_parse_int(expr)
}

/// robfig `getRange`.
fn range(expr: &str, r: Bounds) -> Result<u64, String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_high.len() == 1;
    let (start, mut end, mut extra);
    if low_high[0] == "*" || low_high[0] == "?" {
        start = r.min;
        end = r.max;
        extra = STAR;
    } else {
        start = int_or_name(low_high[0], r)?;
        end = match low_high.len() {
            1 => start,
            2 => int_or_name(low_high[1], r)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
        extra = 0;
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let s = must_parse_int(range_and_step[1])?;
            if single {
                end = r.max;
            }
            if s > 1 {
                extra = 0;
            }
            s
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < r.min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            r.min
        ));
    }
    if end > r.max {
        return Err(format!(
            "end of range ({end}) above maximum ({}): {expr}",
            r.max
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(bits(start, end, step) | extra)
}

/// robfig `getField`: a comma list of ranges.
fn field(f: &str, r: Bounds) -> Result<u64, String> {
    let mut b = 0;
    for part in f.split(',').filter(|p| !p.is_empty()) {
        b |= range(part, r)?;
    }
    Ok(b)
}

fn all(r: Bounds) -> u64 {
    bits(r.min, r.max, 1) | STAR
}

/// Go's `time.ParseDuration` for the units a schedule would use (`ns` … `h`, decimals, sums).
pub fn parse_go_duration(s: &str) -> Result<f64, String> {
    let err = || format!("time: invalid duration \"{s}\"");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0.0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return Err(err());
        }
        let v: f64 = num.parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let secs = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("time: missing unit in duration \"{s}\"")),
            u => return Err(format!("time: unknown unit \"{u}\" in duration \"{s}\"")),
        };
        total += v * secs;
    }
    Ok(if neg { -total } else { total })
}

fn descriptor(spec: &str, offset_secs: i32) -> Result<Schedule, String> {
    let one = |v: u32| 1u64 << v;
    let (minute, hour, dom, month, dow) = match spec {
        "@yearly" | "@annually" => (one(0), one(0), one(1), one(1), all(DOW)),
        "@monthly" => (one(0), one(0), one(1), all(MONTHS), all(DOW)),
        "@weekly" => (one(0), one(0), all(DOM), all(MONTHS), one(0)),
        "@daily" | "@midnight" => (one(0), one(0), all(DOM), all(MONTHS), all(DOW)),
        "@hourly" => (one(0), all(HOURS), all(DOM), all(MONTHS), all(DOW)),
        _ => {
            if let Some(d) = spec.strip_prefix("@every ") {
                let secs = parse_go_duration(d)
                    .map_err(|e| format!("failed to parse duration {spec}: {e}"))?;
                // `Every`: below a second becomes a second; fractions of a second are dropped.
                let whole = secs.trunc() as i64;
                return Ok(Schedule::Every {
                    secs: if secs < 1.0 { 1 } else { whole },
                });
            }
            return Err(format!("unrecognized descriptor: {spec}"));
        }
    };
    Ok(Schedule::Spec {
        minute,
        hour,
        dom,
        month,
        dow,
        offset_secs,
    })
}

/// `cron.ParseStandard`. Errors are robfig's own words (the API server quotes them).
pub fn parse_standard(spec: &str) -> Result<Schedule, String> {
    if spec.is_empty() {
        return Err("empty spec string".into());
    }
    let mut spec = spec;
    let mut offset = 0;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let Some(i) = spec.find(' ') else {
            // Go would slice out of range and panic; say what is wrong instead.
            return Err(format!(
                "provided bad location {spec}: unknown time zone {spec}"
            ));
        };
        let eq = spec.find('=').unwrap_or(0);
        let name = &spec[eq + 1..i];
        offset = load_location(name).map_err(|e| format!("provided bad location {name}: {e}"))?;
        spec = spec[i..].trim();
    }
    if spec.starts_with('@') {
        return descriptor(spec, offset);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    Ok(Schedule::Spec {
        minute: field(fields[0], MINUTES)?,
        hour: field(fields[1], HOURS)?,
        dom: field(fields[2], DOM)?,
        month: field(fields[3], MONTHS)?,
        dow: field(fields[4], DOW)?,
        offset_secs: offset,
    })
}

impl Schedule {
    /// The schedule evaluated in a time zone (what `TZ=<spec.timeZone> <schedule>` does).
    pub fn in_zone(mut self, offset: i32) -> Self {
        if let Schedule::Spec { offset_secs, .. } = &mut self {
            *offset_secs = offset;
        }
        self
    }

    /// robfig `Next`: the first activation strictly after `t`, or `None` if there is none within
    /// five years (an impossible date such as February 31).
    pub fn next(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match *self {
            Schedule::Every { secs } => {
                let whole = DateTime::<Utc>::from_timestamp(t.timestamp(), 0)?;
                Some(whole + Duration::seconds(secs))
            }
            Schedule::Spec {
                minute,
                hour,
                dom,
                month,
                dow,
                offset_secs,
            } => {
                let off = Duration::seconds(i64::from(offset_secs));
                let local = (t + off).naive_utc();
                // The next whole minute strictly after t (seconds are always 0 in the standard spec).
                let base = local.date().and_hms_opt(local.hour(), local.minute(), 0)?;
                let mut c: NaiveDateTime = base + Duration::minutes(1);
                let limit = c.year() + 5;
                let has = |set: u64, v: u32| set & (1u64 << v) != 0;
                loop {
                    if c.year() > limit {
                        return None;
                    }
                    if !has(month, c.month()) {
                        let (y, m) = if c.month() == 12 {
                            (c.year() + 1, 1)
                        } else {
                            (c.year(), c.month() + 1)
                        };
                        c = NaiveDate::from_ymd_opt(y, m, 1)?.and_hms_opt(0, 0, 0)?;
                        continue;
                    }
                    let dom_match = has(dom, c.day());
                    let dow_match = has(dow, c.weekday().num_days_from_sunday());
                    let day_ok = if dom & STAR != 0 || dow & STAR != 0 {
                        dom_match && dow_match
                    } else {
                        dom_match || dow_match
                    };
                    if !day_ok {
                        c = c.date().succ_opt()?.and_hms_opt(0, 0, 0)?;
                        continue;
                    }
                    if !has(hour, c.hour()) {
                        c = c.date().and_hms_opt(c.hour(), 0, 0)? + Duration::hours(1);
                        continue;
                    }
                    if !has(minute, c.minute()) {
                        c += Duration::minutes(1);
                        continue;
                    }
                    return Some(c.and_utc() - off);
                }
            }
        }
    }
}

/// Zones encoded without a tz database: UTC and its aliases, `Etc/GMT±N`, and zones whose offset
/// has been fixed (no daylight saving) for decades. Offsets in seconds east of UTC.
const FIXED_ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("Etc/UTC", 0),
    ("Etc/UCT", 0),
    ("UCT", 0),
    ("Etc/Universal", 0),
    ("Universal", 0),
    ("Etc/Zulu", 0),
    ("Zulu", 0),
    ("GMT", 0),
    ("Etc/GMT", 0),
    ("Etc/GMT0", 0),
    ("Etc/GMT+0", 0),
    ("Etc/GMT-0", 0),
    ("GMT0", 0),
    ("GMT+0", 0),
    ("GMT-0", 0),
    ("Etc/Greenwich", 0),
    ("Greenwich", 0),
    ("Africa/Abidjan", 0),
    ("Atlantic/Reykjavik", 0),
    ("Africa/Lagos", 3600),
    ("Africa/Johannesburg", 7200),
    ("Africa/Cairo", 7200),
    ("Africa/Nairobi", 3 * 3600),
    ("Europe/Moscow", 3 * 3600),
    ("Europe/Istanbul", 3 * 3600),
    ("Asia/Riyadh", 3 * 3600),
    ("Asia/Dubai", 4 * 3600),
    ("Asia/Karachi", 5 * 3600),
    ("Asia/Kolkata", 5 * 3600 + 1800),
    ("Asia/Calcutta", 5 * 3600 + 1800),
    ("Asia/Kathmandu", 5 * 3600 + 2700),
    ("Asia/Dhaka", 6 * 3600),
    ("Asia/Bangkok", 7 * 3600),
    ("Asia/Jakarta", 7 * 3600),
    ("Asia/Ho_Chi_Minh", 7 * 3600),
    ("Asia/Shanghai", 8 * 3600),
    ("Asia/Hong_Kong", 8 * 3600),
    ("Asia/Singapore", 8 * 3600),
    ("Asia/Taipei", 8 * 3600),
    ("Asia/Manila", 8 * 3600),
    ("Australia/Perth", 8 * 3600),
    ("Asia/Tokyo", 9 * 3600),
    ("Asia/Seoul", 9 * 3600),
    ("Australia/Brisbane", 10 * 3600),
    ("America/Argentina/Buenos_Aires", -3 * 3600),
    ("America/Sao_Paulo", -3 * 3600),
    ("America/Bogota", -5 * 3600),
    ("America/Lima", -5 * 3600),
    ("America/Panama", -5 * 3600),
    ("America/Phoenix", -7 * 3600),
    ("Pacific/Honolulu", -10 * 3600),
];

/// `time.LoadLocation` for the zones above: the offset, or Go's `unknown time zone X`.
pub fn load_location(name: &str) -> Result<i32, String> {
    if name.is_empty() {
        return Ok(0);
    }
    if let Some((_, off)) = FIXED_ZONES.iter().find(|(n, _)| *n == name) {
        return Ok(*off);
    }
    // Etc/GMT+5 is five hours *behind* UTC (POSIX signs).
    if let Some(rest) = name.strip_prefix("Etc/GMT") {
        let (sign, digits) = if let Some(d) = rest.strip_prefix('+') {
            (-1, d)
        } else if let Some(d) = rest.strip_prefix('-') {
            (1, d)
        } else {
            (0, "")
        };
        if sign != 0
            && !digits.is_empty()
            && digits.len() <= 2
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            if let Ok(h) = digits.parse::<i32>() {
                let max = if sign < 0 { 12 } else { 14 };
                if h <= max {
                    return Ok(sign * h * 3600);
                }
            }
        }
    }
    Err(format!("unknown time zone {name}"))
}

/// The API server's validation of `spec.timeZone` (`validateTimeZone`): the field errors.
pub fn validate_time_zone(tz: Option<&str>) -> Vec<String> {
    let Some(tz) = tz else { return Vec::new() };
    if tz.is_empty() {
        return vec![format!(
            "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"
        )];
    }
    if tz.eq_ignore_ascii_case("local") {
        return vec![format!(
            "spec.timeZone: Invalid value: \"{tz}\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
        )];
    }
    match load_location(tz) {
        Ok(_) => Vec::new(),
        Err(e) => vec![format!("spec.timeZone: Invalid value: \"{tz}\": {e}")],
    }
}

/// The API server's validation of `spec.schedule` (`validateScheduleFormat`, TZ not allowed).
pub fn validate_schedule(schedule: &str, field_path: &str) -> Vec<String> {
    if schedule.is_empty() {
        return vec![format!("{field_path}: Required value")];
    }
    let mut out = Vec::new();
    if let Err(e) = parse_standard(schedule) {
        out.push(format!("{field_path}: Invalid value: \"{schedule}\": {e}"));
    }
    if schedule.contains("TZ") {
        out.push(format!("{field_path}: Invalid value: \"{schedule}\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc.timestamp_opt(0, 0).unwrap())
    }
    fn next(spec: &str, from: &str) -> String {
        let s = parse_standard(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
        s.next(at(from))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    }
    fn err(spec: &str) -> String {
        parse_standard(spec).err().unwrap_or_default()
    }

    // robfig/cron v3 spec_test.go TestNext / TestActivation cases, in UTC.
    #[test]
    fn next_matches_robfig() {
        assert_eq!(
            next("* * * * *", "2012-07-09T14:45:00Z"),
            "2012-07-09T14:46:00Z"
        );
        assert_eq!(
            next("* * * * *", "2012-07-09T14:45:30Z"),
            "2012-07-09T14:46:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2012-07-09T14:45:00Z"),
            "2012-07-09T15:00:00Z"
        );
        assert_eq!(
            next("0 */2 * * *", "2012-07-09T23:46:00Z"),
            "2012-07-10T00:00:00Z"
        );
        // Wrap around months and years.
        assert_eq!(
            next("0 0 9 Apr-Oct ?", "2012-07-09T23:35:00Z"),
            "2012-08-09T00:00:00Z"
        );
        assert_eq!(
            next("0 0 * Feb Mon", "2012-07-09T23:35:00Z"),
            "2013-02-04T00:00:00Z"
        );
        assert_eq!(
            next("0 0 * Feb Mon/2", "2012-07-09T23:35:00Z"),
            "2013-02-01T00:00:00Z"
        );
        assert_eq!(
            next("0 0 1 1 *", "2012-12-31T23:59:45Z"),
            "2013-01-01T00:00:00Z"
        );
        // Leap year.
        assert_eq!(
            next("0 0 29 Feb ?", "2012-07-09T23:35:00Z"),
            "2016-02-29T00:00:00Z"
        );
        // Impossible.
        assert_eq!(next("0 0 30 Feb ?", "2012-07-09T23:35:00Z"), "");
        assert_eq!(next("59 23 31 2 *", "2016-05-19T10:00:00Z"), "");
    }

    #[test]
    fn dom_and_dow_use_or_when_both_restricted() {
        // 2012-07-15 is a Sunday.
        assert_eq!(
            next("0 0 */10 * Sun", "2012-07-09T00:00:00Z"),
            "2012-07-11T00:00:00Z"
        );
        assert_eq!(
            next("0 0 1 * Sun", "2012-07-09T00:00:00Z"),
            "2012-07-15T00:00:00Z"
        );
        // One of them `*`: both must match (`*` matches all).
        assert_eq!(
            next("0 0 * * Sun", "2012-07-09T00:00:00Z"),
            "2012-07-15T00:00:00Z"
        );
        assert_eq!(
            next("0 0 15 * *", "2012-07-09T00:00:00Z"),
            "2012-07-15T00:00:00Z"
        );
        // `*/1` keeps the star bit; `*/2` does not.
        assert_eq!(
            next("0 0 */2 * Sun", "2012-07-09T00:00:00Z"),
            "2012-07-11T00:00:00Z"
        );
    }

    #[test]
    fn descriptors() {
        assert_eq!(
            next("@hourly", "2016-05-19T10:30:00Z"),
            "2016-05-19T11:00:00Z"
        );
        assert_eq!(
            next("@daily", "2016-05-19T10:30:00Z"),
            "2016-05-20T00:00:00Z"
        );
        assert_eq!(
            next("@midnight", "2016-05-19T10:30:00Z"),
            "2016-05-20T00:00:00Z"
        );
        // 2016-05-22 is a Sunday.
        assert_eq!(
            next("@weekly", "2016-05-19T10:30:00Z"),
            "2016-05-22T00:00:00Z"
        );
        assert_eq!(
            next("@monthly", "2016-05-19T10:30:00Z"),
            "2016-06-01T00:00:00Z"
        );
        assert_eq!(
            next("@yearly", "2016-05-19T10:30:00Z"),
            "2017-01-01T00:00:00Z"
        );
        assert_eq!(
            next("@annually", "2016-05-19T10:30:00Z"),
            "2017-01-01T00:00:00Z"
        );
        assert_eq!(
            next("@every 90s", "2016-05-19T10:30:00Z"),
            "2016-05-19T10:31:30Z"
        );
        assert_eq!(err("@fortnightly"), "unrecognized descriptor: @fortnightly");
        assert_eq!(
            err("@every x"),
            "failed to parse duration @every x: time: invalid duration \"x\""
        );
        assert_eq!(err("@Hourly"), "unrecognized descriptor: @Hourly");
    }

    #[test]
    fn names_lists_ranges_steps() {
        assert_eq!(
            next("5,35 9-17/4 * jan-MAR mon-fri", "2025-03-01T09:00:00Z"),
            "2025-03-03T09:05:00Z"
        );
        assert_eq!(
            next("0 12 * * 5", "2016-05-19T10:00:00Z"),
            "2016-05-20T12:00:00Z"
        );
        assert_eq!(
            next("30 6-16/4 * * 1-5", "2025-03-03T07:00:00Z"),
            "2025-03-03T10:30:00Z"
        );
        assert_eq!(
            next("10/20 * * * *", "2025-03-03T07:31:00Z"),
            "2025-03-03T07:50:00Z"
        );
    }

    #[test]
    fn errors_are_robfigs() {
        assert_eq!(err(""), "empty spec string");
        assert_eq!(
            err("* * * *"),
            "expected exactly 5 fields, found 4: [* * * *]"
        );
        assert_eq!(
            err("0 0 0 0 0 0"),
            "expected exactly 5 fields, found 6: [0 0 0 0 0 0]"
        );
        assert_eq!(
            err("60 * * * *"),
            "end of range (60) above maximum (59): 60"
        );
        assert_eq!(err("* * * * 7"), "end of range (7) above maximum (6): 7");
        assert_eq!(
            err("* * 0 * *"),
            "beginning of range (0) below minimum (1): 0"
        );
        assert_eq!(
            err("* * * * mon-sun"),
            "beginning of range (1) beyond end of range (0): mon-sun"
        );
        assert_eq!(
            err("x * * * *"),
            "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(err("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err("*/2/3 * * * *"), "too many slashes: */2/3");
        assert_eq!(
            err("*/0 * * * *"),
            "step of range should be a positive number: */0"
        );
        assert_eq!(
            err("TZ=Mars/Olympus * * * * *"),
            "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"
        );
    }

    #[test]
    fn zones() {
        assert_eq!(load_location("Etc/UTC"), Ok(0));
        assert_eq!(load_location("Etc/GMT+5"), Ok(-5 * 3600));
        assert_eq!(load_location("Etc/GMT-14"), Ok(14 * 3600));
        assert_eq!(
            load_location("Etc/GMT-15"),
            Err("unknown time zone Etc/GMT-15".into())
        );
        assert_eq!(
            load_location("Mars/Olympus"),
            Err("unknown time zone Mars/Olympus".into())
        );
        // 09:00 in Tokyo is 00:00 UTC.
        let s = parse_standard("0 9 * * *")
            .map(|s| s.in_zone(9 * 3600))
            .ok();
        let n = s.and_then(|s| s.next(at("2025-03-01T09:00:00Z")));
        assert_eq!(n, Some(at("2025-03-02T00:00:00Z")));
        assert_eq!(
            validate_time_zone(Some("Mars/Olympus")),
            vec![
                "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"
                    .to_string()
            ]
        );
        assert_eq!(
            validate_schedule("TZ=UTC * * * * *", "spec.schedule"),
            vec!["spec.schedule: Invalid value: \"TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead".to_string()]
        );
    }
}
