//! Atomic output: the site is written to a staging folder beside the
//! output folder and swapped in only when the whole build succeeded, so a
//! failed build never touches the last good site.
//!
//! Nothing playbook did not make is ever replaced. Every site carries a
//! [`MARKER`] file; an existing output folder is replaced only when it is
//! empty or holds one, and the output may never be, hold or lie inside the
//! project's sources, compared by canonical (symlink-resolved) paths.
//! On Linux the new site is exchanged with the old one in one step, so
//! the output path always holds a whole site. Single files are written to
//! a temporary file in the same folder and renamed over the old one, so a
//! reader (or `serve`) never sees half a file.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use tempfile::TempPath;
use thiserror::Error;

/// The file that marks a folder as a site playbook built, and so one it
/// may replace.
pub const MARKER: &str = ".playbook-site";

const MARKER_TEXT: &str = "This folder is a site built by playbook. Each build replaces the whole \
folder; playbook replaces only folders that hold this file.\n";

const OWN_FOLDER: &str =
    "give the site a folder of its own, such as `public`, with `-o` or `output:` in book.yaml";

/// What the project holds that the site may never replace or lie in.
const SOURCES: [&str; 5] = [crate::config::FILE_NAME, "content", "themes", "src", ".git"];

#[derive(Debug, Error)]
pub enum OutputError {
    #[error("refusing to write the site to `{}`: {reason}\nhelp: {help}", path.display())]
    Unsafe {
        path: PathBuf,
        reason: String,
        help: String,
    },
    #[error("{}", .0.render(false))]
    Template(crate::diagnostics::Diagnostic),
    #[error("cannot build the search index: {0}")]
    Search(String),
    #[error("cannot read `{}`: {source}{}", path.display(), hint(source))]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write `{}`: {source}{}", path.display(), hint(source))]
    Write { path: PathBuf, source: io::Error },
    /// Work that runs beside rebuilds was stopped by a newer change before
    /// it replaced a file; nothing is wrong.
    #[error("stopped by a newer change")]
    Cancelled,
}

/// Whether an error means the process has no file descriptors left
/// (EMFILE, ENFILE), which no change of permissions would fix.
pub fn out_of_files(err: &io::Error) -> bool {
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        matches!(Errno::from_io_error(err), Some(Errno::MFILE | Errno::NFILE))
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

/// The help for running out of open files.
pub const OUT_OF_FILES_HELP: &str =
    "the process ran out of open files; raise the limit (`ulimit -n 4096`) and try again";

fn hint(err: &io::Error) -> String {
    if out_of_files(err) {
        format!("\nhelp: {OUT_OF_FILES_HELP}")
    } else if is_busy(err) {
        "\nhelp: a folder that is a mount point cannot be replaced; \
         write the site to a folder inside it, such as `-o <mount>/site`"
            .to_string()
    } else {
        String::new()
    }
}

/// Whether an error means the path is in use as a mount point (EBUSY).
fn is_busy(err: &io::Error) -> bool {
    #[cfg(unix)]
    {
        rustix::io::Errno::from_io_error(err) == Some(rustix::io::Errno::BUSY)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

fn read_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Read {
        path: path.to_path_buf(),
        source,
    }
}

fn write_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// A staging folder that becomes the output folder on [`Staging::commit`]
/// and is removed if dropped before that.
pub struct Staging {
    target: PathBuf,
    project: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Prepares a staging folder for `target`, holding the marker. Refuses
    /// targets that would replace the project, its sources, a file, or a
    /// folder playbook did not make; removes what killed builds left.
    pub fn new(target: &Path, project: &Path) -> Result<Staging, OutputError> {
        let target = resolve(target)?;
        let project = resolve(project)?;
        check_target(&target, &project)?;
        let (parent, name) = match (target.parent(), target.file_name()) {
            (Some(parent), Some(name)) => (parent, name.to_string_lossy().into_owned()),
            _ => {
                return Err(OutputError::Unsafe {
                    path: target.clone(),
                    reason: "it has no parent folder".into(),
                    help: OWN_FOLDER.into(),
                });
            }
        };
        std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        remove_leftovers(parent, &name);
        let dir = parent.join(format!(".{name}.building-{}", unique_suffix()));
        std::fs::create_dir(&dir).map_err(write_err(&dir))?;
        let staging = Staging {
            target,
            project,
            dir,
            committed: false,
        };
        // First of all, so a killed build's folder can be proved ours.
        mark(&staging.dir)?;
        Ok(staging)
    }

    /// A staging folder holding the site now at `target`, each file a hard
    /// link to the one there (a copy where the filesystem has none), for a
    /// publish of a few changed files to be swapped in whole. `None` when
    /// `target` holds no site, or one without the marker.
    ///
    /// Every write into it replaces a file (a temporary file renamed over
    /// it), so no file of the site at `target` is ever changed through a
    /// link.
    pub fn of_site(target: &Path, project: &Path) -> Result<Option<Staging>, OutputError> {
        let site = resolve(target)?;
        if !site.is_dir() || !is_marked(&site) {
            return Ok(None);
        }
        let staging = Staging::new(target, project)?;
        let mut walk = walkdir::WalkDir::new(&site).min_depth(1).into_iter();
        while let Some(entry) = walk.next() {
            let entry = entry.map_err(|err| {
                let path = err.path().unwrap_or(&site).to_path_buf();
                read_err(&path)(err.into())
            })?;
            let Ok(rel) = entry.path().strip_prefix(&site) else {
                continue;
            };
            let to = staging.dir.join(rel);
            let kind = entry.file_type();
            if kind.is_dir() {
                // Leftovers of an interrupted search re-index are not
                // carried over.
                let leftover = format!(".{}-", crate::search::DIR);
                if rel.to_str().is_some_and(|r| r.starts_with(&leftover)) {
                    walk.skip_current_dir();
                    continue;
                }
                std::fs::create_dir(&to).map_err(write_err(&to))?;
            } else if kind.is_file()
                && rel != Path::new(MARKER)
                && !is_temporary(rel)
                && std::fs::hard_link(entry.path(), &to).is_err()
            {
                std::fs::copy(entry.path(), &to).map_err(write_err(&to))?;
            }
        }
        Ok(Some(staging))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staging folder in for the output folder, then removes the
    /// old site.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        // The build took a while: look again at the sources and at what
        // the target holds now.
        check_sources(&self.target, &self.project)?;
        let replaces = match existing(&self.target)? {
            Existing::Nothing => false,
            Existing::Site => true,
            Existing::Other(refusal) => return Err(refusal.error(&self.target)),
        };
        let old = if replaces {
            Some(replace_site(&self.dir, &self.target)?)
        } else {
            std::fs::rename(&self.dir, &self.target).map_err(write_err(&self.target))?;
            None
        };
        self.committed = true;
        if let Some(old) = old {
            remove_tree(&old);
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            remove_tree(&self.dir);
        }
    }
}

/// How [`swap`] put the new site in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swapped {
    /// One atomic exchange: the path always held a whole site.
    Exchanged,
    /// Two renames, where the filesystem cannot exchange: for a moment
    /// there was no site.
    Renamed,
}

/// Puts the folder `new` at `target`, which holds a site. Returns where
/// the old site now is (for the caller to remove) and how it was done:
/// an atomic exchange where the system offers one, else `target` is
/// renamed to `aside` and `new` renamed in.
pub fn swap(new: &Path, target: &Path, aside: &Path) -> Result<(PathBuf, Swapped), OutputError> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, new, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok((new.to_path_buf(), Swapped::Exchanged)),
            // The kernel or the filesystem cannot exchange: rename twice.
            Err(Errno::INVAL | Errno::NOSYS) => {}
            Err(err) => return Err(write_err(target)(err.into())),
        }
    }
    std::fs::rename(target, aside).map_err(write_err(target))?;
    if let Err(err) = std::fs::rename(new, target) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(aside, target);
        return Err(write_err(target)(err));
    }
    Ok((aside.to_path_buf(), Swapped::Renamed))
}

/// Swaps the folder `new` in for the site at `target`, and returns where
/// the old site now is. What is swapped out is what `target` held at that
/// instant, which need not be what was looked at a moment before (another
/// program may have put a folder of its own there): if it is not a site,
/// both are put back and the swap is refused.
fn replace_site(new: &Path, target: &Path) -> Result<PathBuf, OutputError> {
    let aside = target.with_file_name(format!(".{}.old-{}", file_name(target), unique_suffix()));
    let (old, how) = swap(new, target, &aside)?;
    if !matches!(existing(&old), Ok(Existing::Site)) {
        unswap(&old, target, new, how);
        return Err(Refusal::Foreign.error(target));
    }
    Ok(old)
}

/// Undoes a [`swap`] that put the folder from `staging` at `target` and
/// the folder that was there at `old`: the latter goes back to `target`,
/// the former back to `staging`.
fn unswap(old: &Path, target: &Path, staging: &Path, how: Swapped) {
    match how {
        Swapped::Exchanged => {
            // `old` is `staging`: one more exchange puts both back.
            let _ = swap(old, target, staging);
        }
        Swapped::Renamed => {
            if std::fs::rename(target, staging).is_ok() {
                let _ = std::fs::rename(old, target);
            }
        }
    }
}

/// A suffix no other staging or old-site folder has: this process's id,
/// which tells a later build whether the folder is a leftover, and a count
/// of the folders this process named, so a folder an earlier publish could
/// not remove never blocks the next one.
fn unique_suffix() -> String {
    static NAMED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NAMED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{n}", std::process::id())
}

/// What the output path holds now.
enum Existing {
    Nothing,
    /// An empty folder, or one with the marker.
    Site,
    Other(Refusal),
}

enum Refusal {
    File,
    DanglingLink,
    Foreign,
}

impl Refusal {
    fn error(&self, path: &Path) -> OutputError {
        let (reason, help) = match self {
            Refusal::File => (
                "a file of that name exists, and the site is a folder".to_string(),
                OWN_FOLDER.to_string(),
            ),
            Refusal::DanglingLink => (
                "it is a symbolic link to nothing".to_string(),
                "remove the link, or choose another folder with `-o`".to_string(),
            ),
            Refusal::Foreign => (
                format!(
                    "the folder holds files, and no `{MARKER}` file says playbook built it, \
                     so building would delete them"
                ),
                format!(
                    "choose another folder with `-o` (or `output:` in book.yaml), or empty or \
                     remove this one yourself; \
                     a site built by an older playbook has no `{MARKER}` file either: \
                     remove it once, and later builds replace it on their own"
                ),
            ),
        };
        OutputError::Unsafe {
            path: path.to_path_buf(),
            reason,
            help,
        }
    }
}

fn existing(target: &Path) -> Result<Existing, OutputError> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(err) => return Err(read_err(target)(err)),
    };
    if meta.file_type().is_symlink() {
        // `target` is canonical: a link left in it leads nowhere.
        return Ok(Existing::Other(Refusal::DanglingLink));
    }
    if !meta.is_dir() {
        return Ok(Existing::Other(Refusal::File));
    }
    if is_marked(target) {
        return Ok(Existing::Site);
    }
    let mut entries = std::fs::read_dir(target).map_err(read_err(target))?;
    Ok(match entries.next() {
        None => Existing::Site,
        Some(_) => Existing::Other(Refusal::Foreign),
    })
}

/// Puts the marker in a site's folder, unless it is there.
pub fn mark(dir: &Path) -> Result<(), OutputError> {
    if is_marked(dir) {
        return Ok(());
    }
    write(&dir.join(MARKER), MARKER_TEXT.as_bytes())
}

fn is_marked(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// Refuses a canonical `target` that equals or holds the canonical
/// `project` or one of its sources, or lies in one of them, or holds
/// anything but a site.
fn check_target(target: &Path, project: &Path) -> Result<(), OutputError> {
    check_sources(target, project)?;
    match existing(target)? {
        Existing::Other(refusal) => Err(refusal.error(target)),
        Existing::Nothing | Existing::Site => Ok(()),
    }
}

/// Refuses a canonical `target` that equals, holds or lies inside the
/// canonical `project` or one of its sources, each compared both as it
/// stands in the project and as its link resolves: replacing the target
/// deletes whatever it holds.
fn check_sources(target: &Path, project: &Path) -> Result<(), OutputError> {
    let refuse = |reason: String| OutputError::Unsafe {
        path: target.to_path_buf(),
        reason,
        help: OWN_FOLDER.to_string(),
    };
    if project.starts_with(target) {
        return Err(refuse("it holds the playbook project itself".into()));
    }
    for source in SOURCES {
        let path = project.join(source);
        // A source may itself be a link to a folder or file elsewhere.
        let real = match std::fs::canonicalize(&path) {
            Ok(real) => real,
            Err(err) if err.kind() == io::ErrorKind::NotFound => path.clone(),
            Err(err) => return Err(read_err(&path)(err)),
        };
        if target == path || target == real {
            return Err(refuse(format!("it is the project's `{source}`")));
        }
        if target.starts_with(&path) || target.starts_with(&real) {
            return Err(refuse(format!("it lies inside the project's `{source}`")));
        }
        if real.starts_with(target) {
            return Err(refuse(format!(
                "it holds the project's `{source}` (linked to `{}`), \
                 so building would delete it",
                real.display()
            )));
        }
    }
    Ok(())
}

/// The canonical form of a path that may not exist yet: its deepest
/// existing ancestor with symlinks resolved, then the rest.
fn resolve(path: &Path) -> Result<PathBuf, OutputError> {
    let absolute = std::path::absolute(path).map_err(read_err(path))?;
    let parts: Vec<Component<'_>> = absolute.components().collect();
    for existing in (1..=parts.len()).rev() {
        let ancestor: PathBuf = parts[..existing].iter().collect();
        match std::fs::canonicalize(&ancestor) {
            Ok(mut out) => {
                // The rest does not exist, so holds no links: fold it as text.
                for part in &parts[existing..] {
                    match part {
                        Component::ParentDir => {
                            out.pop();
                        }
                        Component::Normal(name) => out.push(name),
                        _ => {}
                    }
                }
                return Ok(out);
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(read_err(&ancestor)(err)),
        }
    }
    Ok(absolute)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Removes the staging and old folders of `name` that builds left when
/// they were killed: those whose process is gone, and only if they hold
/// the marker (or nothing at all), which proves playbook made them.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let building = format!(".{name}.building-");
    let old = format!(".{name}.old-");
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(pid) = file_name
            .strip_prefix(&building)
            .or_else(|| file_name.strip_prefix(&old))
            .and_then(|suffix| suffix.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_dir()) || !process_is_gone(pid) {
            continue;
        }
        let path = entry.path();
        if is_marked(&path) {
            remove_tree(&path);
        } else {
            // Removes the folder only if it is empty.
            let _ = std::fs::remove_dir(&path);
        }
    }
}

/// Whether no process `pid` runs. This process counts as gone: its own
/// staging folder from an earlier build was removed when that build ended.
fn process_is_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            return false;
        };
        // EPERM means it runs as another user: it is not gone.
        test_kill_process(pid) == Err(rustix::io::Errno::SRCH)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Removes a site's folder, deleting its files in parallel (an old site of
/// ten thousand pages takes seconds to remove one file at a time). The
/// marker goes last: a folder that could not be wholly removed (out of
/// files, say) still proves playbook made it, and the next build removes it.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let marker = dir.join(MARKER);
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir() && e.path() != marker)
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut whole = true;
    for entry in entries {
        let removed = entry.and_then(|entry| {
            let path = entry.path();
            if path == marker {
                Ok(())
            } else if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            }
        });
        whole &= removed.is_ok();
    }
    if whole {
        let _ = std::fs::remove_file(&marker);
        let _ = std::fs::remove_dir(dir);
    }
}

/// Writes a file atomically, creating its folder: a reader sees the old
/// file or the new one, never part of one.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_with(path, |file| file.write_all(bytes).map_err(write_err(path)))
}

/// Fills a temporary file beside `path`, then renames it over `path`:
/// [`write()`] for a file written piece by piece.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    persist(filled(path, fill)?, path)
}

/// The files of one publish, each written to a temporary file beside its
/// target, then all renamed over their targets by [`Batch::commit`].
/// Dropped before that, it removes them. A publish that fails half-way (a
/// template error on one page, a full disk) so changes no file of the
/// site; one that succeeds replaces each file whole, as [`write()`] does.
#[derive(Debug, Default)]
pub struct Batch {
    /// Each filled temporary file and the path it replaces, in the order
    /// they were written.
    written: Mutex<Vec<(TempPath, PathBuf)>>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Writes `bytes` as `path`'s next version, creating its folder.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
        self.write_with(path, |file| file.write_all(bytes).map_err(write_err(path)))
    }

    /// Copies the file `source` as `path`'s next version. Errors say
    /// whether reading `source` or writing `path` failed.
    pub fn copy(&self, source: &Path, path: &Path) -> Result<(), OutputError> {
        let mut from = File::open(source).map_err(read_err(source))?;
        self.write_with(path, |to| {
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = match from.read(&mut buf) {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => return Err(read_err(source)(err)),
                };
                to.write_all(&buf[..n]).map_err(write_err(path))?;
            }
        })
    }

    /// Fills `path`'s next version piece by piece.
    pub fn write_with(
        &self,
        path: &Path,
        fill: impl FnOnce(&mut File) -> Result<(), OutputError>,
    ) -> Result<(), OutputError> {
        let temp = filled(path, fill)?;
        // A push cannot leave the list half-changed: a lock another
        // writer's panic poisoned still holds a whole list.
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((temp, path.to_path_buf()));
        Ok(())
    }

    /// Renames every file written over its target, in the order written.
    pub fn commit(self) -> Result<(), OutputError> {
        let written = self
            .written
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        for (temp, path) in written {
            persist(temp, &path)?;
        }
        Ok(())
    }
}

/// A closed temporary file beside `path`, filled by `fill`; removed when
/// dropped unless persisted. Creates `path`'s folder.
fn filled(
    path: &Path,
    fill: impl FnOnce(&mut File) -> Result<(), OutputError>,
) -> Result<TempPath, OutputError> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(write_err(parent))?;
    // `make_in` with a plain open keeps the system's error as it is (so
    // running out of files is recognised) and the mode `std::fs::write`
    // gives, rather than 0600.
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .make_in(parent, |temp| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(temp)
        })
        .map_err(write_err(path))?;
    fill(temp.as_file_mut())?;
    // Closed now: a publish of thousands of files holds no descriptor.
    Ok(temp.into_temp_path())
}

/// How the names of temporary files begin, beside the files they replace.
const TEMP_PREFIX: &str = ".playbook-";

/// Whether `rel` names a temporary file a killed publish left.
fn is_temporary(rel: &Path) -> bool {
    rel.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(TEMP_PREFIX))
}

/// Renames the temporary file `temp` over `path`.
fn persist(temp: TempPath, path: &Path) -> Result<(), OutputError> {
    temp.persist(path).map_err(|err| write_err(path)(err.error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_swapped_in_for_the_site_just_before_the_swap_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let (new, target) = (tmp.path().join(".site.building"), tmp.path().join("site"));
        std::fs::create_dir(&new).unwrap();
        mark(&new).unwrap();
        std::fs::write(new.join("index.html"), "new site").unwrap();
        // Not a site: what another program put at the target after it was
        // looked at.
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("notes.txt"), "mine").unwrap();

        let err = replace_site(&new, &target).unwrap_err();
        assert!(matches!(err, OutputError::Unsafe { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(target.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(new.join("index.html")).unwrap(),
            "new site"
        );
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn an_old_folder_this_process_could_not_remove_does_not_block_the_next_staging() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("book");
        std::fs::create_dir_all(project.join("content")).unwrap();
        let target = tmp.path().join("public");
        // What an earlier publish of this process left where it staged:
        // not removed (here: not marked and not empty; in life, a folder
        // it had no right to empty).
        let stuck = tmp
            .path()
            .join(format!(".public.building-{}", std::process::id()));
        std::fs::create_dir(&stuck).unwrap();
        std::fs::write(stuck.join("x"), "").unwrap();
        for _ in 0..2 {
            let staging = Staging::new(&target, &project).expect("a staging folder");
            assert_ne!(staging.dir(), stuck);
            staging.commit().expect("committed");
        }
        assert!(stuck.join("x").exists(), "a folder not proved ours is kept");
    }

    #[test]
    fn the_project_and_its_sources_are_never_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("book");
        std::fs::create_dir_all(project.join("content")).unwrap();
        std::fs::write(project.join("book.yaml"), "title: T\n").unwrap();
        for target in [
            project.clone(),
            tmp.path().to_path_buf(),
            project.join("content/out"),
            project.join("content/../content"),
            project.join("book.yaml"),
            project.join("themes/x"),
            project.join(".git"),
        ] {
            let err = Staging::new(&target, &project).err();
            assert!(
                matches!(err, Some(OutputError::Unsafe { .. })),
                "{}",
                target.display()
            );
        }
        assert!(Staging::new(&project.join("public"), &project).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_source_linked_into_the_target_during_the_build_stops_the_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("book");
        let out = tmp.path().join("public");
        std::fs::create_dir_all(project.join("content")).unwrap();
        std::fs::create_dir_all(out.join("pages")).unwrap();
        mark(&out).unwrap();
        let staging = Staging::new(&out, &project).unwrap();
        let staged = staging.dir().to_path_buf();

        std::fs::remove_dir(project.join("content")).unwrap();
        std::os::unix::fs::symlink(out.join("pages"), project.join("content")).unwrap();
        let err = staging.commit().err();
        assert!(
            matches!(&err, Some(OutputError::Unsafe { reason, .. }) if reason.contains("`content`")),
            "{err:?}"
        );
        assert!(out.join("pages").is_dir(), "the linked source stays");
        assert!(!staged.exists(), "the staging folder is removed");
    }

    #[test]
    fn a_dropped_staging_folder_leaves_the_old_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(MARKER), MARKER_TEXT).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let staging = Staging::new(&out, &tmp.path().join("book")).unwrap();
            std::fs::write(staging.dir().join("index.html"), "new").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
        let staging = Staging::new(&out, &tmp.path().join("book")).unwrap();
        std::fs::write(staging.dir().join("index.html"), "new").unwrap();
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        assert!(is_marked(&out), "the new site carries the marker");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_exchanges_the_sites_in_one_step() {
        let tmp = tempfile::tempdir().unwrap();
        let (new, target) = (tmp.path().join("new"), tmp.path().join("site"));
        std::fs::create_dir(&new).unwrap();
        std::fs::create_dir(&target).unwrap();
        std::fs::write(new.join("index.html"), "new").unwrap();
        std::fs::write(target.join("index.html"), "old").unwrap();
        let (old, how) = swap(&new, &target, &tmp.path().join("aside")).unwrap();
        assert_eq!(how, Swapped::Exchanged);
        assert_eq!(old, new);
        assert_eq!(
            std::fs::read_to_string(old.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "new"
        );
        assert!(!tmp.path().join("aside").exists());
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_usual_mode_not_a_temporary_files() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let ours = tmp.path().join("site/index.html");
        write(&ours, b"page").unwrap();
        let plain = tmp.path().join("plain.html");
        std::fs::write(&plain, b"page").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&ours), mode(&plain));
        assert_eq!(std::fs::read(&ours).unwrap(), b"page");
        let names: Vec<_> = std::fs::read_dir(tmp.path().join("site"))
            .unwrap()
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[test]
    fn running_out_of_files_is_not_called_a_permission_problem() {
        #[cfg(unix)]
        {
            let err = OutputError::Read {
                path: PathBuf::from("content/a.png"),
                source: rustix::io::Errno::MFILE.into(),
            };
            let text = err.to_string();
            assert!(text.starts_with("cannot read `content/a.png`"), "{text}");
            assert!(text.contains("ran out of open files"), "{text}");
            assert!(text.contains("ulimit -n"), "{text}");
            assert!(!text.contains("permission"), "{text}");
        }
    }
}
