//! The `playbook` command line.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use playbook::diagnostics::{Diagnostic, terminal_safe};
use playbook::serve::publish::WatchOptions;
use playbook::serve::{Reporter, ServeOptions};
use playbook::site::{self, BuildError, BuildOptions};

/// Build interactive playbooks — guides, decision trees and checklists —
/// into a static website.
#[derive(Parser)]
#[command(name = "playbook", version, about, propagate_version = true)]
struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: warnings in full, timings of each stage.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        /// The playbook's folder (the one holding book.yaml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the site [default: `output:` in book.yaml, else DIR/public].
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Keep running: rebuild the output folder on every save, each
        /// publish atomic, until Ctrl-C.
        #[arg(long)]
        watch: bool,
        /// With --watch: look for changes every second instead of waiting
        /// for the system's file events.
        #[arg(long, requires = "watch")]
        poll: bool,
    },
    /// Build, serve on localhost, and rebuild and reload on every save.
    Serve {
        /// The playbook's folder (the one holding book.yaml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The port to listen on; the next free one is taken if it is busy.
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on. Loopback unless told otherwise.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Look for changes every second instead of waiting for the
        /// system's file events, which network, VM and container
        /// filesystems often do not send.
        #[arg(long)]
        poll: bool,
    },
    /// Run every check of the build and the publishing checks, writing nothing.
    Check {
        /// The playbook's folder (the one holding book.yaml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// How to print what is found.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Start a new playbook that builds at once.
    Init {
        /// Where to create it.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The playbook's title.
        #[arg(long, default_value = "My playbook")]
        title: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Readable reports with the source lines.
    Human,
    /// One JSON array of diagnostics, for tools.
    Json,
}

/// How much to print.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    match cli.command {
        Command::Build {
            dir,
            out,
            drafts,
            watch: true,
            poll,
        } => build_watch(&dir, WatchOptions { out, drafts, poll }, verbosity),
        Command::Build {
            dir, out, drafts, ..
        } => build(&dir, out, drafts, verbosity),
        Command::Init { dir, title } => init(&dir, &title, verbosity),
        Command::Check { dir, format } => check(&dir, format, verbosity),
        Command::Serve {
            dir,
            port,
            host,
            open,
            drafts,
            poll,
        } => serve(
            &dir,
            ServeOptions {
                host,
                port,
                open,
                drafts,
                poll,
            },
            verbosity,
        ),
    }
}

/// A path or message as it may be printed: see [`terminal_safe`].
fn shown(text: impl std::fmt::Display) -> String {
    terminal_safe(&text.to_string()).into_owned()
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn print_diagnostics(diagnostics: &[Diagnostic], verbosity: Verbosity) {
    let shown = diagnostics
        .iter()
        .filter(|d| d.is_error() || verbosity > Verbosity::Quiet);
    for text in playbook::diagnostics::render_capped(shown, color()) {
        eprintln!("{text}");
    }
}

fn build(dir: &Path, out: Option<PathBuf>, drafts: bool, verbosity: Verbosity) -> ExitCode {
    let options = BuildOptions {
        out,
        drafts,
        ..BuildOptions::default()
    };
    match site::build(dir, &options) {
        Ok(report) => {
            print_diagnostics(&report.warnings, verbosity);
            if verbosity == Verbosity::Verbose {
                print_diagnostics(&report.translations, verbosity);
                for (stage, took) in &report.timings {
                    eprintln!("  {stage}: {} ms", took.as_millis());
                }
            }
            if verbosity > Verbosity::Quiet {
                let warnings = match report.warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning{}", if n == 1 { "" } else { "s" }),
                };
                println!(
                    "Built {} page{} in {} ms{warnings} → {}",
                    report.pages,
                    if report.pages == 1 { "" } else { "s" },
                    report.elapsed.as_millis(),
                    shown(report.out.display())
                );
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(diagnostics)) => {
            print_diagnostics(&diagnostics, verbosity);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: the build failed with {errors} error{}; the previous site, if any, was left untouched",
                if errors == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
        Err(BuildError::Output(err)) => {
            eprintln!("error: {}", shown(&err));
            eprintln!("the previous site, if any, was left untouched");
            ExitCode::from(1)
        }
    }
}

fn init(dir: &Path, title: &str, verbosity: Verbosity) -> ExitCode {
    match playbook::init::init(dir, title) {
        Ok(files) => {
            if verbosity > Verbosity::Quiet {
                for file in &files {
                    println!("  created {}", shown(file.display()));
                }
                println!(
                    "A new playbook is ready in {}. Build it with `playbook build {}`.",
                    shown(dir.display()),
                    shown(dir.display())
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {}", shown(&err));
            ExitCode::from(1)
        }
    }
}

/// Prints serve's progress to the terminal.
#[derive(Clone, Copy)]
struct Terminal {
    verbosity: Verbosity,
}

impl Reporter for Terminal {
    fn info(&self, line: &str) {
        if self.verbosity > Verbosity::Quiet {
            // A closed stdout (`playbook serve | head`) must not stop the
            // server: the line is dropped instead.
            let _ = writeln!(std::io::stdout(), "{}", shown(line));
        }
    }

    fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        print_diagnostics(diagnostics, self.verbosity);
    }
}

fn serve(dir: &Path, options: ServeOptions, verbosity: Verbosity) -> ExitCode {
    match playbook::serve::serve(dir, options, Terminal { verbosity }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", shown(&err));
            ExitCode::from(1)
        }
    }
}

fn build_watch(dir: &Path, options: WatchOptions, verbosity: Verbosity) -> ExitCode {
    match playbook::serve::publish::build_watch(dir, options, Terminal { verbosity }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(1)
        }
    }
}

fn check(dir: &Path, format: Format, verbosity: Verbosity) -> ExitCode {
    let found = playbook::check::run(dir);
    let errors = found.iter().filter(|d| d.is_error()).count();
    match format {
        Format::Json => {
            let json: Vec<playbook::diagnostics::JsonDiagnostic<'_>> =
                found.iter().map(Into::into).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into())
            );
        }
        Format::Human => {
            print_diagnostics(&found, verbosity);
            if verbosity > Verbosity::Quiet || errors > 0 {
                let warnings = found.len() - errors;
                eprintln!(
                    "{}: {errors} error{}, {warnings} warning{}",
                    if errors > 0 {
                        "check failed"
                    } else {
                        "check passed"
                    },
                    if errors == 1 { "" } else { "s" },
                    if warnings == 1 { "" } else { "s" },
                );
            }
        }
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
