//! The npm artifact: the `ConsentBridge` JS class of `mp-consent-bridge`, built as a
//! `no_std` wasm that brings what std would: a panic handler and an allocator. Both are
//! chosen for size and safety: the handler traps without formatting anything (so
//! core::fmt's panic paths drop out of the module), and the allocator is lol_alloc's free
//! list, a few hundred bytes that reuse freed memory across sizes and coalesce
//! neighbours, so a burst of large blocks never strands memory for the rest of the
//! session (the size-class allocator it replaces did).
//!
//! Library paths never panic (clippy denies it); the handler is for what the compiler
//! cannot prove away, such as a bounds check inside core or a dependency. Only the wasm
//! build has content: natively this crate is empty, so `cargo test --workspace` (which
//! links std) never sees a second panic handler.
#![no_std]
#![cfg(target_arch = "wasm32")]

#[cfg(target_feature = "atomics")]
compile_error!("the npm wasm is single-threaded (its allocator assumes it); build without atomics");

pub use mp_consent_bridge::ConsentBridge;

use lol_alloc::{AssumeSingleThreaded, FreeListAllocator};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// SAFETY: wasm32 without the atomics feature (refused above) runs one thread.
#[global_allocator]
static ALLOCATOR: AssumeSingleThreaded<FreeListAllocator> =
    unsafe { AssumeSingleThreaded::new(FreeListAllocator::new()) };
