//! What the host's command-line programs (`psp-run`, `psp-bench`) share: reading `--flag value`
//! and `--flag=value` arguments, and running with their exit codes.

use std::process::ExitCode;

use anyhow::{anyhow, Result};

/// A command line, read flag by flag.
#[derive(Debug)]
pub struct Args<I> {
    args: I,
    inline: Option<String>,
}

impl<I: Iterator<Item = String>> Args<I> {
    /// The arguments after the program's name.
    pub fn new(args: I) -> Self {
        Args { args, inline: None }
    }

    /// The next flag: `--name` of `--name=value` (the value is kept for [`Args::value`]), or the
    /// next argument as it is; `None` at the end.
    pub fn next_flag(&mut self) -> Option<String> {
        let arg = self.args.next()?;
        match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                self.inline = Some(value.to_string());
                Some(flag.to_string())
            }
            _ => {
                self.inline = None;
                Some(arg)
            }
        }
    }

    /// The value given to the current flag with `=`, if any.
    pub fn inline_value(&mut self) -> Option<String> {
        self.inline.take()
    }

    /// The value of the current flag `name`: the one given with `=`, else the next argument.
    pub fn value(&mut self, name: &str) -> Result<String> {
        match self.inline.take() {
            Some(value) => Ok(value),
            None => self
                .args
                .next()
                .ok_or_else(|| anyhow!("{name} needs a value")),
        }
    }
}

/// Runs `program`: `options` reads the command line (`Ok(None)`: asked for help, the usage is
/// printed, exit 0; `Err`: the error and the usage, exit 2), then `run` runs with them (`Err`: the
/// error, exit `error_code`).
pub fn run_program<O>(
    program: &str,
    usage: impl Fn() -> String,
    options: Result<Option<O>>,
    run: impl FnOnce(&O) -> Result<ExitCode>,
    error_code: u8,
) -> ExitCode {
    let options = match options {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{program}: {e:#}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{program}: {e:#}");
            ExitCode::from(error_code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args<std::vec::IntoIter<String>> {
        Args::new(
            list.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter(),
        )
    }

    #[test]
    fn flags_take_their_value_inline_or_from_the_next_argument() {
        let mut a = args(&["--policy", "p.wasm", "--budget-ms=5", "--quick", "x=y"]);
        assert_eq!(a.next_flag().as_deref(), Some("--policy"));
        assert_eq!(a.value("--policy").unwrap(), "p.wasm");
        assert_eq!(a.next_flag().as_deref(), Some("--budget-ms"));
        assert_eq!(a.value("--budget-ms").unwrap(), "5");
        assert_eq!(a.next_flag().as_deref(), Some("--quick"));
        assert_eq!(a.inline_value(), None);
        // Not a flag: kept whole.
        assert_eq!(a.next_flag().as_deref(), Some("x=y"));
        assert_eq!(a.next_flag(), None);
        assert_eq!(
            a.value("--only").unwrap_err().to_string(),
            "--only needs a value"
        );
    }
}
