// A double-clicked release build on Windows gets no console window; a command typed in a
// terminal attaches to that terminal instead (`attach_to_terminal`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;
use nanograd::cli::{Cli, run};

fn main() {
    if std::env::args_os().len() > 1 {
        attach_to_terminal();
    }
    let cli = Cli::parse();
    if let Some(file) = &cli.file
        && !file.is_file()
    {
        eprintln!(
            "nanograd: \"{}\" is neither a file to open nor a subcommand (see nanograd --help)",
            file.display()
        );
        std::process::exit(2);
    }
    let code = match cli.command {
        Some(command) => run(command),
        None => match nanograd::app::run(cli.file) {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("nanograd: {}", nanograd::cli::describe(&error));
                1
            }
        },
    };
    std::process::exit(code);
}

/// A Windows GUI program starts without standard output, so `nanograd train` typed in a terminal
/// would print nothing: attach to the terminal that started it, if any. A double-click (no
/// parent console) attaches to nothing and opens no console. Output already redirected to a
/// file or pipe is kept as it is. The terminal does not wait for a GUI program, so its prompt
/// can appear before the output (README, "Windows").
#[cfg(windows)]
fn attach_to_terminal() {
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE,
    };
    // SAFETY: plain Win32 calls without pointers; they only read or set this process's
    // standard handles, before any other thread exists.
    unsafe {
        let redirected =
            !GetStdHandle(STD_OUTPUT_HANDLE).is_null() && !GetStdHandle(STD_ERROR_HANDLE).is_null();
        if !redirected {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}

/// Elsewhere a program always has the standard output of the terminal that started it.
#[cfg(not(windows))]
fn attach_to_terminal() {}
