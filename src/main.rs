fn main() -> std::process::ExitCode {
    zhaoshang::cli::main()
}
