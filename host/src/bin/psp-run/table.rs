//! The table `psp-run --examples` prints: the settings files, one row per pair, the counts, the
//! notes.

use std::fmt::Write as _;
use std::path::Path;

use crate::examples::{first_line, label, Matrix, Row, Verdict};
use crate::notes::Note;

/// `path` relative to the working folder when it is inside it (the table's paths then match the
/// user's), else as given.
fn shown(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// What a settings file says of itself: the first line of its leading comment, if any.
fn description(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    first_line(&text)
        .strip_prefix('#')
        .map(|comment| comment.trim().to_string())
        .unwrap_or_default()
}

pub(crate) fn render(matrix: &Matrix, rows: &[Row]) -> String {
    let mut out = String::new();

    out.push_str("Settings:\n");
    let legend: Vec<[String; 3]> = matrix
        .settings
        .iter()
        .map(|path| [label(path), shown(path), description(path)])
        .collect();
    let legend_widths = column_widths(legend.iter().map(|line| &line[..2]));
    for [name, path, about] in &legend {
        let line = format!(
            "  {name:w0$}  {path:w1$}  {about}",
            w0 = legend_widths[0],
            w1 = legend_widths[1]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }

    // Notes are numbered in the order the rows first call on them.
    let mut notes: Vec<Note> = Vec::new();
    for note in rows.iter().flat_map(|row| &row.notes) {
        if !notes.contains(note) {
            notes.push(*note);
        }
    }
    let verdict = |row: &Row| {
        let mut verdict = row.verdict.label().to_string();
        for note in &row.notes {
            let number = notes.iter().position(|n| n == note).unwrap_or(0) + 1;
            let _ = write!(verdict, " [{number}]");
        }
        verdict
    };
    let header = [
        "SETTINGS".to_string(),
        "REQUEST".to_string(),
        "VERDICT".to_string(),
        "FIRST VIOLATION, OR THE DEFAULTS APPLIED (JSONPatch)".to_string(),
    ];
    let table: Vec<[String; 4]> = rows
        .iter()
        .map(|row| {
            [
                row.settings.clone(),
                row.request.clone(),
                verdict(row),
                row.detail.clone(),
            ]
        })
        .collect();
    let widths = column_widths(
        std::iter::once(&header)
            .chain(&table)
            .map(|line| &line[..3]),
    );
    let mut previous_settings: Option<&Path> = None;
    out.push('\n');
    for (at, line) in std::iter::once(&header).chain(&table).enumerate() {
        // A blank line between the settings files' groups.
        if let Some(row) = at.checked_sub(1).and_then(|i| rows.get(i)) {
            if previous_settings.is_some_and(|p| p != row.settings_path) {
                out.push('\n');
            }
            previous_settings = Some(&row.settings_path);
        }
        let text = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            line[0],
            line[1],
            line[2],
            line[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        let _ = writeln!(out, "{}", text.trim_end());
    }

    let count = |verdict| rows.iter().filter(|row| row.verdict == verdict).count();
    let evaluated = count(Verdict::Accepted)
        + count(Verdict::AcceptedWithDefaults)
        + count(Verdict::Rejected)
        + count(Verdict::HostError);
    let _ = write!(
        out,
        "\n{evaluated} evaluations: {} accepted, {} accepted with defaults, {} rejected",
        count(Verdict::Accepted),
        count(Verdict::AcceptedWithDefaults),
        count(Verdict::Rejected),
    );
    for (verdict, what) in [
        (Verdict::HostError, "host errors"),
        (Verdict::InvalidSettings, "invalid settings files"),
    ] {
        if count(verdict) > 0 {
            let _ = write!(out, ", {} {what}", count(verdict));
        }
    }
    out.push_str(".\n");

    if !notes.is_empty() {
        out.push('\n');
        for (number, note) in notes.iter().enumerate() {
            let _ = writeln!(out, "[{}] {}", number + 1, note.text());
        }
    }

    // How to see one pair in full: the first one with defaults, as its patch is the longest.
    let example = rows
        .iter()
        .find(|row| row.verdict == Verdict::AcceptedWithDefaults)
        .or_else(|| {
            rows.iter()
                .find(|row| matches!(row.verdict, Verdict::Accepted | Verdict::Rejected))
        });
    if let Some(row) = example {
        let _ = write!(
            out,
            "\nOne pair in full (the response, and the JSONPatch of the defaults):\n  make run REQUEST={} SETTINGS={}\n",
            shown(&row.request_path),
            shown(&row.settings_path)
        );
    }
    out
}

/// The width of each column of `lines`, in characters.
fn column_widths<'a>(lines: impl Iterator<Item = &'a [String]>) -> Vec<usize> {
    let mut widths: Vec<usize> = Vec::new();
    for line in lines {
        for (column, cell) in line.iter().enumerate() {
            let width = cell.chars().count();
            match widths.get_mut(column) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    widths
}
