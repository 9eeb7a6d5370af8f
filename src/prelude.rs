//! What std's prelude would give: the crate is `no_std` in the npm build, so every module
//! takes `String`, `Vec`, `Box`, `format!` and friends from `alloc` through this one glob.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::boxed::Box;
pub(crate) use alloc::format;
pub(crate) use alloc::string::String;
pub(crate) use alloc::vec;
pub(crate) use alloc::vec::Vec;
