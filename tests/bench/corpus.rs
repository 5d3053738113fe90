//! Writes a benchmark corpus of N realistic playbook pages, three ways:
//! as a playbook project, as an mdBook book and as a Hugo site.
//!
//! Usage: cargo run --release --example corpus -- <N> <OUT_DIR>
//! Writes OUT_DIR/playbook, OUT_DIR/mdbook and OUT_DIR/hugo.
//!
//! Pages sit in sections of 100. Each has headings, paragraphs, lists, a
//! table, a Rust code block, a task list and links to two other pages;
//! every tenth page holds a decision tree.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const PER_SECTION: usize = 100;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: corpus <N> <OUT_DIR>";
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let out = args.next().expect(usage);
    let out = Path::new(&out);
    write_playbook(n, &out.join("playbook"));
    write_mdbook(n, &out.join("mdbook"));
    write_hugo(n, &out.join("hugo"));
    println!("wrote {n} pages three ways under {}", out.display());
}

fn section(i: usize) -> usize {
    i / PER_SECTION
}

fn page_name(i: usize) -> String {
    format!("s{:03}/p{:05}", section(i), i)
}

/// The body shared by every format. `link` turns a page index into a link
/// target in that format.
fn body(i: usize, n: usize, tree: bool, link: &dyn Fn(usize, Option<&str>) -> String) -> String {
    let a = (i * 7 + 3) % n;
    let b = (i * 13 + 5) % n;
    let mut s = String::new();
    let _ = write!(
        s,
        "Ending a working relationship is rarely easy. Page {i} looks at one situation a freelancer \
may meet, what tends to go wrong, and what to do instead. Keep the tone calm and the facts clear.\n\n\
## What happens\n\n\
A client who once paid on time starts to delay invoices, changes the scope without asking and \
answers messages late. The work still has to be delivered, and the contract still applies.\n\n\
- Write down what was agreed and when.\n- Keep every message short and factual.\n- Decide before the call what you will offer.\n\n\
## What to do\n\n\
1. Read the contract again, especially the notice period.\n2. Call the client rather than writing.\n3. Confirm the outcome in writing the same day.\n\n\
See also [a related case]({}) and [the steps on another page]({}).\n\n\
| Option | When it fits | Cost |\n|---|---|---|\n| Finish the work | You can deliver well | Your time |\n\
| Hand over | A trusted peer can take it | An introduction |\n| Refund | You cannot deliver | Part of the fee |\n\n\
```rust\nfn notice_days(contract_days: u32, worked: u32) -> u32 {{\n    contract_days.saturating_sub(worked)\n}}\n```\n\n\
- [ ] Check the notice period\n- [ ] Prepare what to say\n- [ ] Send the written summary\n\n\
## Checklist for page {i}\n\nThe call should take minutes, not hours. Thank the client for the work you did together, \
say clearly what happens next, and end the call politely.\n",
        link(a, None),
        link(b, Some("what-to-do")),
    );
    if tree {
        let _ = write!(
            s,
            "\n```decision-tree\nid: t{i}\ntitle: Can you finish the work for page {i}?\nnodes:\n  finish:\n    question: Can you deliver everything on time?\n    answers:\n      - label: \"Yes\"\n        next: deliver\n      - label: \"No\"\n        next: substitute\n  substitute:\n    question: Is there a good replacement?\n    answers:\n      - label: \"Yes\"\n        next: handover\n      - label: \"No\"\n        next: refund\n  deliver:\n    outcome: Finish the contract well\n    checklist:\n      - Agree the last delivery date\n  handover:\n    outcome: Introduce the replacement\n  refund:\n    outcome: Refund the unfinished part\n    checklist:\n      - Work out the share done\n      - Put the refund in writing\nscenarios:\n  - answers: [\"No\", \"No\"]\n    outcome: refund\n```\n"
        );
    }
    s
}

/// A relative link to page `j` from another page, as playbook and mdBook
/// write them: to the markdown file.
fn md_link(j: usize, anchor: Option<&str>) -> String {
    let target = format!("../{}.md", page_name(j));
    match anchor {
        Some(a) => format!("{target}#{a}"),
        None => target,
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
    fs::write(path, text).expect("write file");
}

fn write_playbook(n: usize, dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    write(
        &dir.join("book.yaml"),
        "title: Benchmark playbook\ndescription: Generated pages.\n",
    );
    write(
        &dir.join("content/index.md"),
        "---\ntitle: Benchmark\n---\n\nGenerated pages.\n",
    );
    for s in 0..n.div_ceil(PER_SECTION) {
        write(
            &dir.join(format!("content/s{s:03}/index.md")),
            &format!("---\ntitle: Section {s}\n---\n\nPages of section {s}.\n"),
        );
    }
    for i in 0..n {
        let kind = ["guide", "how-to", "how-not-to", "clause"][i % 4];
        let text = format!(
            "---\ntitle: Situation {i}\nkind: {kind}\ndescription: A generated page about situation {i}.\n---\n\n{}",
            body(i, n, i % 10 == 0, &md_link)
        );
        write(&dir.join(format!("content/{}.md", page_name(i))), &text);
    }
}

fn write_mdbook(n: usize, dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"Benchmark playbook\"\nlanguage = \"en\"\nsrc = \"src\"\n\n[output.html]\n",
    );
    let mut summary = String::from("# Summary\n\n[Benchmark](index.md)\n\n");
    write(
        &dir.join("src/index.md"),
        "# Benchmark\n\nGenerated pages.\n",
    );
    for s in 0..n.div_ceil(PER_SECTION) {
        let _ = writeln!(summary, "- [Section {s}](s{s:03}/index.md)");
        write(
            &dir.join(format!("src/s{s:03}/index.md")),
            &format!("# Section {s}\n\nPages of section {s}.\n"),
        );
        for i in (s * PER_SECTION)..((s + 1) * PER_SECTION).min(n) {
            let _ = writeln!(summary, "  - [Situation {i}]({}.md)", page_name(i));
        }
    }
    write(&dir.join("src/SUMMARY.md"), &summary);
    for i in 0..n {
        let text = format!("# Situation {i}\n\n{}", body(i, n, i % 10 == 0, &md_link));
        write(&dir.join(format!("src/{}.md", page_name(i))), &text);
    }
}

fn write_hugo(n: usize, dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    write(
        &dir.join("hugo.toml"),
        "baseURL = \"https://example.org/\"\nlanguageCode = \"en\"\ntitle = \"Benchmark playbook\"\n\
disableKinds = [\"taxonomy\", \"term\", \"RSS\"]\nrelativeURLs = true\n\n[markup.highlight]\nnoClasses = false\n",
    );
    let page_layout = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\
<body><nav>{{ with .Prev }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}\
{{ with .Next }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</nav>\
<main><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</main></body></html>\n";
    write(&dir.join("layouts/_default/single.html"), page_layout);
    write(
        &dir.join("layouts/_default/list.html"),
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\
<body><main><h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>\n",
    );
    write(
        &dir.join("content/_index.md"),
        "---\ntitle: Benchmark\n---\n\nGenerated pages.\n",
    );
    for s in 0..n.div_ceil(PER_SECTION) {
        write(
            &dir.join(format!("content/s{s:03}/_index.md")),
            &format!("---\ntitle: Section {s}\n---\n\nPages of section {s}.\n"),
        );
    }
    for i in 0..n {
        let link = |j: usize, anchor: Option<&str>| {
            let target = format!("../../s{:03}/p{:05}/", section(j), j);
            match anchor {
                Some(a) => format!("{target}#{a}"),
                None => target,
            }
        };
        let text = format!(
            "---\ntitle: Situation {i}\nweight: {i}\n---\n\n{}",
            body(i, n, i % 10 == 0, &link)
        );
        write(&dir.join(format!("content/{}.md", page_name(i))), &text);
    }
}
