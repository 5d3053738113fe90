//! Typed indices: a [`PageId`] names a page of the loaded pages (and its
//! entry in a built site), a [`LangId`] a language of `book.languages`
//! (and everything kept per language: theme strings, navigation trees),
//! an [`AssetId`] a file of `book.assets`.
//! They cannot be mixed up with each other or with a position in some
//! other list.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A page: its position among the pages, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageId(usize);

/// A language: its position in `book.languages`, the default first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LangId(usize);

/// An asset: its position in `book.assets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetId(usize);

impl PageId {
    pub(crate) const fn new(index: usize) -> PageId {
        PageId(index)
    }

    /// The position among the pages.
    pub const fn index(self) -> usize {
        self.0
    }

    /// Every id of a list of `len` pages, in order.
    pub(crate) fn all(len: usize) -> impl DoubleEndedIterator<Item = PageId> + ExactSizeIterator {
        (0..len).map(PageId)
    }
}

impl LangId {
    /// The default language, always the first.
    pub const DEFAULT: LangId = LangId(0);

    pub(crate) const fn new(index: usize) -> LangId {
        LangId(index)
    }

    /// The position in `book.languages`.
    pub const fn index(self) -> usize {
        self.0
    }

    pub fn is_default(self) -> bool {
        self == LangId::DEFAULT
    }
}

/// A typed index: [`PageId`], [`LangId`] or [`AssetId`].
pub trait Id: Copy {
    fn from_index(index: usize) -> Self;
    fn to_index(self) -> usize;
}

impl Id for PageId {
    fn from_index(index: usize) -> Self {
        PageId(index)
    }
    fn to_index(self) -> usize {
        self.0
    }
}

impl Id for AssetId {
    fn from_index(index: usize) -> Self {
        AssetId(index)
    }
    fn to_index(self) -> usize {
        self.0
    }
}

impl Id for LangId {
    fn from_index(index: usize) -> Self {
        LangId(index)
    }
    fn to_index(self) -> usize {
        self.0
    }
}

/// A list with one entry per page or per language, indexed by that id
/// only: a page's entry cannot be looked up with a language's id, or with
/// a plain number.
///
/// ```compile_fail
/// use playbook::content::{IdVec, LangId, PageId};
/// let titles: IdVec<PageId, &str> = vec!["Home"].into();
/// let _ = titles[LangId::DEFAULT];
/// ```
///
/// ```compile_fail
/// use playbook::content::{IdVec, PageId};
/// let titles: IdVec<PageId, &str> = vec!["Home"].into();
/// let _ = titles[0];
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        IdVec::from(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds an entry and returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.to_index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Every entry with its id, in order.
    pub fn iter_ids(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (I::from_index(i), item))
    }

    /// The entries as a slice, for parallel iteration.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec::new()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdVec::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<I, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.to_index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.to_index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_entries_in_order() {
        let mut titles: IdVec<PageId, &str> = IdVec::new();
        let home = titles.push("Home");
        let next = titles.push("Next");
        assert_eq!((home.index(), next.index()), (0, 1));
        assert_eq!(titles[next], "Next");
        assert_eq!(titles.ids().collect::<Vec<_>>(), [home, next]);
        assert_eq!(
            titles.iter_ids().collect::<Vec<_>>(),
            [(home, &"Home"), (next, &"Next")]
        );
        assert_eq!(titles.get(PageId::new(2)), None);
    }
}
