//! Small string helpers that keep core's panicking paths out of the wasm.

use crate::prelude::*;

/// `items.join(separator)` without `[&str]::join`, whose length-overflow panic pulls
/// core::fmt into the wasm.
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
    fn joins_like_slice_join() {
        for items in [vec![], vec!["a"], vec!["a", "", "bc"]] {
            assert_eq!(join(items.iter().copied(), ", "), items.join(", "));
        }
    }
}
