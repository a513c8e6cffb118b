//! SQLite's own allocations through the process's Rust allocator (mimalloc in the server).
//!
//! SQLite calls the C library's `malloc` unless told otherwise, and glibc's allocator serialises
//! threads on its arena locks: under the uncached list (a sort kept in a temporary b-tree, pages
//! read into each connection's cache) a tenth of the server's profile was futex waits and
//! `malloc_consolidate` beneath `getPageNormal`, although Rust's own allocations were already off
//! glibc. Each block carries its size in an 8-byte header, since SQLite asks for sizes back
//! (`xSize`) and Rust's `dealloc` needs the layout.

use libsqlite3_sys::sqlite3_mem_methods;
use std::alloc::{Layout, alloc, dealloc, realloc};
use std::ffi::{c_int, c_void};

/// SQLite wants 8-byte alignment; the header keeps the payload aligned as well.
const HEADER: usize = 8;
const ALIGN: usize = 8;

fn layout(payload: usize) -> Option<Layout> {
    Layout::from_size_align(payload.checked_add(HEADER)?, ALIGN).ok()
}

/// The layout a block was allocated with, from the size in its header.
///
/// # Safety
/// `payload` must be a size [`layout`] accepted when the block was allocated. (No `expect` here: a
/// panic cannot unwind out of a function SQLite calls, it would abort the server.)
unsafe fn layout_of_allocated(payload: usize) -> Layout {
    // SAFETY: the same size and alignment made a valid layout when the block was allocated.
    unsafe { Layout::from_size_align_unchecked(payload + HEADER, ALIGN) }
}

unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
    let Some(l) = usize::try_from(n).ok().and_then(layout) else { return std::ptr::null_mut() };
    // SAFETY: the layout's size is at least HEADER, never zero.
    let p = unsafe { alloc(l) };
    if p.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: p is valid for HEADER + n bytes and aligned to 8.
    unsafe {
        (p as *mut usize).write(n as usize);
        p.add(HEADER) as *mut c_void
    }
}

/// The block's start and the payload size written when it was allocated.
///
/// # Safety
/// `p` must be a pointer returned by [`x_malloc`] or [`x_realloc`] and not yet freed.
unsafe fn block(p: *mut c_void) -> (*mut u8, usize) {
    // SAFETY: per the contract, the header lies HEADER bytes before p.
    unsafe {
        let start = (p as *mut u8).sub(HEADER);
        (start, (start as *const usize).read())
    }
}

unsafe extern "C" fn x_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: SQLite frees only what it allocated through these methods.
    unsafe {
        let (start, n) = block(p);
        dealloc(start, layout_of_allocated(n));
    }
}

unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    if p.is_null() {
        // SAFETY: as malloc.
        return unsafe { x_malloc(n) };
    }
    let Some(new) = usize::try_from(n).ok().and_then(layout) else { return std::ptr::null_mut() };
    // SAFETY: p came from these methods; the new size is non-zero and fits the same alignment.
    unsafe {
        let (start, old) = block(p);
        let q = realloc(start, layout_of_allocated(old), new.size());
        if q.is_null() {
            return std::ptr::null_mut();
        }
        (q as *mut usize).write(n as usize);
        q.add(HEADER) as *mut c_void
    }
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    // SAFETY: p came from these methods.
    unsafe { block(p).1 as c_int }
}

unsafe extern "C" fn x_roundup(n: c_int) -> c_int {
    (n + 7) & !7
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    libsqlite3_sys::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

/// Hands SQLite the methods above. Only allowed before the library initialises (the caller runs it
/// once, before the first connection); returns SQLite's result code.
pub fn install() -> c_int {
    let methods = sqlite3_mem_methods {
        xMalloc: Some(x_malloc),
        xFree: Some(x_free),
        xRealloc: Some(x_realloc),
        xSize: Some(x_size),
        xRoundup: Some(x_roundup),
        xInit: Some(x_init),
        xShutdown: Some(x_shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: SQLite copies the structure before returning; the functions live for the process.
    unsafe {
        libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MALLOC, &methods as *const sqlite3_mem_methods)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_remember_their_size_through_a_reallocation() {
        unsafe {
            let p = x_malloc(13);
            assert!(!p.is_null());
            assert_eq!(x_size(p), 13);
            std::ptr::write_bytes(p as *mut u8, 7, 13);
            let q = x_realloc(p, 4000);
            assert_eq!(x_size(q), 4000);
            assert_eq!(*(q as *const u8).add(12), 7, "the old bytes move with the block");
            x_free(q);
            assert!(x_malloc(-1).is_null(), "a negative size is refused, not wrapped");
            assert_eq!(x_roundup(13), 16);
        }
    }
}
