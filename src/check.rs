//! `playbook check`: every check the build makes, plus the ones that only
//! matter before publishing, without writing anything.

/// The checks whose level `checks:` in book.yaml can set.
pub const CHECK_NAMES: &[&str] = &["orphans", "image-alt", "description", "translations"];
