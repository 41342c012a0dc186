//! Pages of a long list on the projector board: how many rows fit, which page a row is on,
//! and the next page when the board turns on its own.

/// A list of `rows` shown `per_page` at a time. `per_page` is at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pages {
    rows: usize,
    per_page: usize,
}

impl Pages {
    pub fn new(rows: usize, per_page: usize) -> Pages {
        Pages {
            rows,
            per_page: per_page.max(1),
        }
    }

    /// Rows of `row_height` that fit in `space` (both in CSS pixels), never fewer than one.
    pub fn fitting(rows: usize, space: f64, row_height: f64) -> Pages {
        let fit = if row_height > 0.0 && space.is_finite() {
            (space / row_height).floor()
        } else {
            1.0
        };
        Pages::new(rows, if fit >= 1.0 { fit as usize } else { 1 })
    }

    pub fn per_page(self) -> usize {
        self.per_page
    }

    /// Number of pages; an empty list still has one (empty) page.
    pub fn count(self) -> usize {
        self.rows.div_ceil(self.per_page).max(1)
    }

    /// The page (0-based) that row `row` is on.
    pub fn page_of(self, row: usize) -> usize {
        (row / self.per_page).min(self.count() - 1)
    }

    /// The page after `page`, back to the first after the last.
    pub fn next(self, page: usize) -> usize {
        (page + 1) % self.count()
    }

    /// Rows `first..end` of `page` (0-based, end exclusive); a page past the end is the last.
    pub fn rows_of(self, page: usize) -> std::ops::Range<usize> {
        let page = page.min(self.count() - 1);
        let first = page * self.per_page;
        first.min(self.rows)..(first + self.per_page).min(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_rows_fifteen_a_page_are_three_pages_the_last_short() {
        let pages = Pages::new(40, 15);
        assert_eq!(pages.count(), 3);
        assert_eq!(pages.rows_of(0), 0..15);
        assert_eq!(pages.rows_of(2), 30..40);
        assert_eq!(pages.page_of(14), 0);
        assert_eq!(pages.page_of(15), 1);
        assert_eq!(pages.page_of(39), 2);
        assert_eq!(pages.next(2), 0);
    }

    #[test]
    fn a_list_that_fits_is_one_page_and_stays_there() {
        let pages = Pages::new(9, 15);
        assert_eq!(pages.count(), 1);
        assert_eq!(pages.next(0), 0);
        assert_eq!(Pages::new(0, 15).count(), 1);
        assert_eq!(Pages::new(0, 15).rows_of(0), 0..0);
    }

    #[test]
    fn rows_that_fit_are_rounded_down_and_never_zero() {
        assert_eq!(Pages::fitting(40, 800.0, 50.0).per_page(), 16);
        assert_eq!(Pages::fitting(40, 799.0, 50.0).per_page(), 15);
        assert_eq!(Pages::fitting(40, 20.0, 50.0).per_page(), 1);
        assert_eq!(Pages::fitting(40, -5.0, 50.0).per_page(), 1);
        assert_eq!(Pages::fitting(40, 800.0, 0.0).per_page(), 1);
        assert_eq!(Pages::fitting(40, f64::NAN, 50.0).per_page(), 1);
    }

    #[test]
    fn every_row_is_on_exactly_one_page() {
        for rows in 0..50 {
            for per_page in 1..20 {
                let pages = Pages::new(rows, per_page);
                let mut seen = 0;
                for page in 0..pages.count() {
                    let range = pages.rows_of(page);
                    assert!(range.len() <= per_page);
                    for row in range {
                        assert_eq!(pages.page_of(row), page);
                        seen += 1;
                    }
                }
                assert_eq!(seen, rows);
            }
        }
    }
}
