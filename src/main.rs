/// mimalloc instead of glibc's allocator: under mixed load the server's threads (the async workers and
/// one per SQLite connection) spent a tenth of their time in glibc's malloc, much of it waiting on
/// its arena locks and consolidating free lists (the 工作日早高峰 benchmark's profile).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    zhaoshang::cli::main()
}
