//! The one pagination of every `/api/v1` list: the page asked for (with
//! the defaults applied) and the `Page` envelope built from a page of
//! items and the total count.

use kizuna_shared::api::{Page, DEFAULT_PER_PAGE, MAX_PER_PAGE};

/// A page asked for: 1-based number and size, defaults and limits applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// The 1-based page number.
    pub page: u32,
    /// Items per page (1 to [`MAX_PER_PAGE`]).
    pub per_page: u32,
}

impl Paging {
    /// The page of a query's `page` and `per_page` (default 1 and
    /// [`DEFAULT_PER_PAGE`]).
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Paging {
        Paging {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE),
        }
    }

    /// The SQL `LIMIT`.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    /// The SQL `OFFSET`.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// The envelope of this page's `items` out of `total` (a `COUNT(*)`).
    pub fn envelope<T>(self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_start_at_one_and_sizes_stay_within_the_limits() {
        let p = Paging::new(None, None);
        assert_eq!((p.page, p.per_page, p.offset()), (1, DEFAULT_PER_PAGE, 0));
        let p = Paging::new(Some(0), Some(0));
        assert_eq!((p.page, p.per_page), (1, 1));
        let p = Paging::new(Some(3), Some(20));
        assert_eq!((p.limit(), p.offset()), (20, 40));
        assert_eq!(Paging::new(None, Some(10_000)).per_page, MAX_PER_PAGE);
        let page = p.envelope(vec!['a'], -1);
        assert_eq!((page.total, page.page, page.per_page), (0, 3, 20));
    }
}
