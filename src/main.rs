// A double-clicked release build on Windows gets no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;
use nanograd::cli::{Cli, run};

fn main() {
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
                eprintln!("nanograd: {error:#}");
                1
            }
        },
    };
    std::process::exit(code);
}
