//! Typed indices into a [`Book`](super::Book): a [`PageId`] names a page
//! of `book.pages` (and its rendition in a built site), a [`LangId`] a
//! language of `book.languages` (and everything kept per language: theme
//! strings, navigation trees). They cannot be mixed up with each other or
//! with a position in some other list.

/// A page: its position in `book.pages`, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageId(usize);

/// A language: its position in `book.languages`, the default first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LangId(usize);

impl PageId {
    pub(crate) const fn new(index: usize) -> PageId {
        PageId(index)
    }

    /// The position in `book.pages`.
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

    /// Every id of a list of `len` languages, in order.
    pub(crate) fn all(len: usize) -> impl DoubleEndedIterator<Item = LangId> + ExactSizeIterator {
        (0..len).map(LangId)
    }
}
