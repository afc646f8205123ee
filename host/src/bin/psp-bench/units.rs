//! How the report writes times, ratios, sizes and prose.

use crate::stats::Stats;

/// The unit a row of times is shown in: ms from 10 ms on, else µs.
pub(crate) fn in_ms(median: f64) -> bool {
    median >= 10_000.0
}

/// `us` microseconds in the unit of [`in_ms`]`(median)`.
pub(crate) fn time_in(us: f64, median: f64) -> String {
    if in_ms(median) {
        format!("{:.1} ms", us / 1000.0)
    } else if median >= 100.0 {
        format!("{us:.0}")
    } else {
        format!("{us:.1}")
    }
}

pub(crate) fn micros(us: f64) -> String {
    time_in(us, us)
}

pub(crate) fn spread(s: &Stats) -> String {
    format!("{}–{}", time_in(s.p10, s.median), time_in(s.p90, s.median))
}

pub(crate) fn ratio(value: f64, floor: Option<f64>) -> String {
    match floor {
        Some(floor) if floor > 0.0 => format!("{:.2}×", value / floor),
        _ => "—".into(),
    }
}

/// A line of the targets: `what`, PASS when `measured.0 / measured.1` (µs over µs) is at most
/// `limit`, with the ratio (followed by `unit`) and both figures.
pub(crate) fn ratio_target(what: &str, measured: (f64, f64), limit: f64, unit: &str) -> String {
    let (value, reference) = measured;
    let ratio = value / reference;
    format!(
        "- {} {what}: {ratio:.2}{unit} ({} / {} µs)\n",
        pass(ratio <= limit),
        micros(value),
        micros(reference)
    )
}

pub(crate) fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Wraps every line but the table's at `width` columns (list items with a hanging indent).
pub(crate) fn wrap_prose(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('|') || line.chars().count() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = if line.starts_with("- ") { "  " } else { "" };
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                out.push_str(&current);
                out.push('\n');
                current = indent.to_string();
            } else if !current.is_empty() && current != indent {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out.trim_end().to_string()
}

pub(crate) fn pass(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_the_unit_of_their_rows_median() {
        assert_eq!(micros(42.26), "42.3");
        assert_eq!(micros(250.4), "250");
        assert_eq!(micros(12_345.0), "12.3 ms");
        // A p90 of a row whose median is in µs stays in µs, and the reverse.
        assert_eq!(time_in(12_345.0, 500.0), "12345");
        assert_eq!(time_in(900.0, 20_000.0), "0.9 ms");
        let s = Stats {
            median: 50.0,
            p10: 40.0,
            p90: 61.0,
            iterations: 10,
        };
        assert_eq!(spread(&s), "40.0–61.0");
    }

    #[test]
    fn ratios_sizes_and_verdicts() {
        assert_eq!(ratio(3.0, Some(2.0)), "1.50×");
        assert_eq!(ratio(1.0, Some(3.0)), "0.33×");
        assert_eq!(ratio(1.0, None), "—");
        assert_eq!(ratio(1.0, Some(0.0)), "—");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!((pass(true), pass(false)), ("PASS", "FAIL"));
        assert_eq!(
            ratio_target("fresh", (300.0, 200.0), 1.5, "×"),
            "- PASS fresh: 1.50× (300 / 200 µs)\n"
        );
        assert_eq!(
            ratio_target("500 / 50", (13_000.0, 1_000.0), 12.0, ""),
            "- FAIL 500 / 50: 13.00 (13.0 ms / 1000 µs)\n"
        );
    }

    #[test]
    fn prose_is_wrapped_and_tables_are_not() {
        assert_eq!(wrap_prose("- aaa bbb ccc", 7), "- aaa\n  bbb\n  ccc");
        assert_eq!(wrap_prose("aaa bbb ccc", 7), "aaa bbb\nccc");
        let row = "| a long table row that stays on one line |";
        assert_eq!(wrap_prose(row, 7), row);
    }
}
