fn main() -> std::process::ExitCode {
    snap_mock::cli::main()
}
