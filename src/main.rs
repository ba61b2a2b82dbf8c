//! The caseflow binary: reads the clock once and hands over to the library.

fn main() -> std::process::ExitCode {
    caseflow::cli::main(jiff::Timestamp::now())
}
