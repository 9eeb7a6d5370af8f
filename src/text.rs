//! Small string helpers that keep core's panicking paths out of the wasm: core's `str`
//! pattern searchers and `[&str]::join` carry panic paths that keep core::fmt linked
//! (several KB), for strings a few dozen bytes long.

use crate::prelude::*;

/// Where `needle` first occurs in `haystack`, by plain byte comparison. An empty needle
/// never matches (callers pass non-empty constants).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len().max(1)).position(|w| w == needle.as_bytes())
}

/// `items.join(separator)` without `[&str]::join`.
pub fn join<'a>(items: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_like_str_find() {
        for (haystack, needle) in [("https://a", "://"), ("a:fail b", ":fail"), ("", "x"), ("ab", "abc"), ("aab", "ab")]
        {
            assert_eq!(find(haystack, needle), haystack.find(needle), "{haystack} {needle}");
        }
    }

    #[test]
    fn joins_like_slice_join() {
        for items in [vec![], vec!["a"], vec!["a", "", "bc"]] {
            assert_eq!(join(items.iter().copied(), ", "), items.join(", "));
        }
    }
}
