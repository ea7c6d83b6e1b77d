//! The `forcesim` command. All work is in the library; this maps it to exit codes.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
