//! Between the build's stages: the allocator's free pages back to the system.

/// Every thread's heap (the rayon pool's and this one) returns its free
/// pages now. mimalloc returns them on its own only as a thread allocates
/// again; pool threads that sit idle between rounds would hold theirs until
/// the next round (at 100,000 incidents about 10 MiB of the peak).
pub(crate) fn trim() {
    // SAFETY: `mi_collect` only frees what the calling thread's heap no
    // longer uses; it has no preconditions. Under `system-alloc` mimalloc
    // holds nothing and this does nothing.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
}
