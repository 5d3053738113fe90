//! `playbook` turns a folder of markdown playbook content into a static
//! website: guides, how-to and how-not-to pages, sample clauses with fill-in
//! fields, and decision trees that readers click through to a checklist.
//!
//! The modules follow the data through a build:
//!
//! 1. [`config`] reads `book.yaml`.
//! 2. [`content`] reads pages and assets and orders them.
//! 3. [`markdown`] renders each page; [`blocks`] renders clauses and
//!    decision trees inside it.
//! 4. [`theme`] holds templates, styles, scripts and strings.
//! 5. [`site`] checks links across pages and writes the site atomically.
//!
//! [`diagnostics`] and [`yaml`] serve every stage; [`init`] scaffolds a new
//! playbook.

#![forbid(unsafe_code)]

pub mod blocks;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod hash;
pub mod html;
pub mod init;
pub mod markdown;
pub mod search;
pub mod serve;
pub mod site;
pub mod theme;
pub mod yaml;
