//! What the `no_std` npm wasm needs from its own artifact: a panic handler and an
//! allocator. Both are chosen for size: the handler traps without formatting anything
//! (so core::fmt's panic paths drop out of the module), and the allocator is a few
//! hundred bytes of size classes instead of dlmalloc's 7 KB.
//!
//! Library paths never panic (clippy denies it); the handler is for what the compiler
//! cannot prove away, such as a bounds check inside core or a dependency.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Size classes: class `k` holds blocks of `2^k` bytes, from 8 (one free-list link) up.
const CLASSES: usize = 32;
const MIN_CLASS: u32 = 3;
const PAGE: usize = 65_536;

struct Heap {
    /// Head of each class's free list (0 = empty); a free block's first word links on.
    free: [usize; CLASSES],
    /// The unused part of the last region taken from `memory.grow`.
    bump: usize,
    end: usize,
}

/// Power-of-two size classes with a free list each, carved from `memory.grow`.
///
/// Freed blocks are only ever reused for their own class: no coalescing, no search. A
/// flow allocates the same shapes every time, so after warm-up the lists serve every
/// request and memory stops growing (`bench/run`'s soak shows it). The cost is up to 2×
/// rounding on each block, which is a few KB at this library's scale.
struct SizeClasses(UnsafeCell<Heap>);

// SAFETY: wasm32 without the atomics feature (lib.rs refuses it here) runs one thread.
unsafe impl Sync for SizeClasses {}

#[global_allocator]
static HEAP: SizeClasses = SizeClasses(UnsafeCell::new(Heap { free: [0; CLASSES], bump: 0, end: 0 }));

/// The class whose blocks fit `layout`; each block is aligned to its size (up to a page),
/// so any alignment up to the size holds. Alignments above a page are refused (null):
/// nothing in this crate or in wasm-bindgen asks for one.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > PAGE {
        return None;
    }
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let class = (usize::BITS - (size - 1).leading_zeros()) as usize;
    (class < CLASSES).then_some(class)
}

impl Heap {
    /// A fresh block of `2^class` bytes from the bump region, growing memory as needed;
    /// `None` when memory cannot grow (every step is checked: wasm32 ends at 4 GiB).
    fn carve(&mut self, class: usize) -> Option<usize> {
        let size = 1usize << class;
        let align = size.min(PAGE);
        let fit = |bump: usize, end: usize| {
            let start = bump.checked_add(align - 1)? & !(align - 1);
            (start.checked_add(size)? <= end).then_some(start)
        };
        let start = match fit(self.bump, self.end) {
            Some(start) => start,
            None => {
                let pages = size.div_ceil(PAGE);
                let previous = core::arch::wasm32::memory_grow(0, pages);
                if previous == usize::MAX {
                    return None;
                }
                let region = previous.checked_mul(PAGE)?;
                if region != self.end {
                    // Not contiguous with the old region (first call): start afresh there.
                    self.bump = region;
                }
                self.end = region.checked_add(pages.checked_mul(PAGE)?)?;
                fit(self.bump, self.end)?
            }
        };
        self.bump = start + size;
        Some(start)
    }
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else { return core::ptr::null_mut() };
        // SAFETY: single-threaded, and no reference to the heap outlives this call.
        let heap = unsafe { &mut *self.0.get() };
        let Some(head) = heap.free.get_mut(class) else { return core::ptr::null_mut() };
        if *head != 0 {
            let block = *head;
            // SAFETY: a free block starts with the link written by `dealloc`.
            *head = unsafe { *(block as *const usize) };
            return block as *mut u8;
        }
        heap.carve(class).map_or(core::ptr::null_mut(), |block| block as *mut u8)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(class) = class_of(layout) else { return };
        // SAFETY: as in `alloc`.
        let heap = unsafe { &mut *self.0.get() };
        if let Some(head) = heap.free.get_mut(class) {
            // SAFETY: the block is ours again and at least 8 bytes, word-aligned.
            unsafe { *(ptr as *mut usize) = *head };
            *head = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded to `align`, does not overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(layout) == class_of(new_layout) {
            return ptr;
        }
        // SAFETY: the GlobalAlloc contract, forwarded.
        unsafe {
            let moved = self.alloc(new_layout);
            if !moved.is_null() {
                core::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            moved
        }
    }
}
