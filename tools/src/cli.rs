//! What the tools share of a command line: a small parser (`--flag value`, `--flag=value`,
//! `-f value`, switches, and positional arguments), and [`main`], which shows what a run ends with.

use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// How a command's flags are spelled.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// Every spelling (`-o`, `--output-path`); the first long one names it in messages.
    pub names: &'static [&'static str],
    /// Takes a value (otherwise a switch).
    pub value: bool,
}

impl Flag {
    /// A flag that takes a value.
    pub const fn with_value(names: &'static [&'static str]) -> Flag {
        Flag { names, value: true }
    }

    /// A switch: a flag without a value.
    pub const fn switch(names: &'static [&'static str]) -> Flag {
        Flag {
            names,
            value: false,
        }
    }
}

/// Parsed arguments: the value(s) of each flag by its first name, and the positional arguments.
#[derive(Debug, Default)]
pub struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    pub positional: Vec<String>,
    pub help: bool,
}

impl Parsed {
    /// The value of flag `name` (its first spelling), when given; an error when given twice.
    pub fn value(&self, name: &str) -> Result<Option<&str>> {
        match self.values.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one.as_str())),
            Some(_) => bail!("{name} is given more than once"),
        }
    }

    /// Every value of flag `name` (its first spelling), in the order given: for flags that may be
    /// repeated.
    pub fn values(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// True when switch `name` is given.
    pub fn switch(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

/// Parses `args` (without the program name) against `flags`. `-h`/`--help` sets `help`. A lone
/// `-` is positional (standard input); `--` ends the flags.
pub fn parse(args: impl IntoIterator<Item = String>, flags: &[Flag]) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    let mut args = args.into_iter();
    let mut only_positional = false;
    while let Some(arg) = args.next() {
        if only_positional || arg == "-" || !arg.starts_with('-') {
            parsed.positional.push(arg);
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            parsed.help = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let flag = flags
            .iter()
            .find(|f| f.names.contains(&name.as_str()))
            .ok_or_else(|| anyhow!("unknown option `{name}`"))?;
        let key = flag.names[0];
        if flag.value {
            let value = match inline {
                Some(value) => value,
                None => args.next().ok_or_else(|| anyhow!("{name} needs a value"))?,
            };
            parsed.values.entry(key).or_default().push(value);
        } else {
            if inline.is_some() {
                bail!("{name} takes no value");
            }
            parsed.values.entry(key).or_default();
        }
    }
    Ok(parsed)
}

/// What a tool's run ends with.
pub enum Outcome {
    /// `-h`/`--help`: the usage text, on standard output.
    Help,
    /// A line on standard output: what a script reads (a digest, a reference).
    Print(String),
    /// A line on standard error: what a person reads, leaving standard output empty.
    Report(String),
    /// A document: written to the file `output` names (through [`write_atomically`]), else on
    /// standard output.
    Document {
        text: String,
        output: Option<String>,
    },
}

/// A tool's `main`: parses the command line against `flags` and runs `run` on it (unless help is
/// asked for), then shows the outcome. An error is printed as `TOOL: error`, with a pointer to
/// `--help` unless it happened while writing the document.
pub fn main(
    tool: &str,
    usage: &str,
    flags: &[Flag],
    run: impl FnOnce(Parsed) -> Result<Outcome>,
) -> ExitCode {
    let outcome = parse(std::env::args().skip(1), flags).and_then(|args| {
        if args.help {
            Ok(Outcome::Help)
        } else {
            run(args)
        }
    });
    match outcome {
        Ok(Outcome::Help) => print!("{usage}"),
        Ok(Outcome::Print(line)) => println!("{line}"),
        Ok(Outcome::Report(line)) => eprintln!("{line}"),
        Ok(Outcome::Document { text, output: None }) => print!("{text}"),
        Ok(Outcome::Document {
            text,
            output: Some(path),
        }) => {
            if let Err(e) = write_atomically(Path::new(&path), text.as_bytes()) {
                eprintln!("{tool}: {e:#}");
                return ExitCode::FAILURE;
            }
        }
        Err(e) => {
            eprintln!("{tool}: {e:#}\n({tool} --help for usage)");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so that a failure never
/// leaves a half-written file behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} is not a file path", path.display()))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&temp, bytes).map_err(|e| anyhow!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        anyhow!("cannot write {}: {e}", path.display())
    })
}

/// Reads a file, naming it in the error.
pub fn read(path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow!("cannot read {path}: {e}"))
}

/// Reads a UTF-8 file, naming it in the error.
pub fn read_text(path: &str) -> Result<String> {
    String::from_utf8(read(path)?).map_err(|_| anyhow!("{path} is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        Flag::with_value(&["-o", "--output"]),
        Flag::switch(&["--force"]),
    ];

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_values_switches_and_positionals() {
        let p = parse(args(&["a", "-o", "x", "--force", "-", "--", "--b"]), FLAGS).unwrap();
        assert_eq!(p.value("-o").unwrap(), Some("x"));
        assert!(p.switch("--force"));
        assert_eq!(p.positional, vec!["a", "-", "--b"]);
        let p = parse(args(&["--output=y"]), FLAGS).unwrap();
        assert_eq!(p.value("-o").unwrap(), Some("y"));
        assert!(parse(args(&["-h"]), FLAGS).unwrap().help);
    }

    #[test]
    fn refuses_bad_arguments() {
        for (list, needle) in [
            (&["--nope"][..], "unknown option `--nope`"),
            (&["-o"][..], "needs a value"),
            (&["--force=1"][..], "takes no value"),
        ] {
            let err = parse(args(list), FLAGS).unwrap_err().to_string();
            assert!(err.contains(needle), "{list:?}: {err}");
        }
        let twice = parse(args(&["-o", "a", "-o", "b"]), FLAGS).unwrap();
        assert!(twice.value("-o").is_err());
    }
}
