//! Bins of a histogram's exact range held a page at a time: 64 consecutive bins
//! in one array, allocated where values are dense enough to fill it (see
//! [`super::Hist`]). A page is found in two steps (its block of 128 pages, then
//! the page), so adding to a paged bin is two loads and an increment, and pages
//! cost nothing where no value falls.

/// Bins per page (a power of two).
pub const PAGE_BITS: u32 = 6;
pub const PAGE_LEN: usize = 1 << PAGE_BITS;
/// Pages per block (a power of two).
const BLOCK_BITS: u32 = 7;
const BLOCK_LEN: usize = 1 << BLOCK_BITS;

pub type Page = Box<[u64; PAGE_LEN]>;
type Block = Box<[Option<Page>; BLOCK_LEN]>;

/// Pages of bins, by page number (bin >> [`PAGE_BITS`]).
#[derive(Debug, Clone, Default)]
pub struct Pages {
    /// Per block of pages: its pages, where any is allocated.
    blocks: Vec<Option<Block>>,
}

impl Pages {
    /// The count of bin `bin`, where its page is allocated.
    #[inline(always)]
    pub fn get_mut(&mut self, bin: usize) -> Option<&mut u64> {
        let block = self
            .blocks
            .get_mut(bin >> (PAGE_BITS + BLOCK_BITS))?
            .as_mut()?;
        let page = block[(bin >> PAGE_BITS) & (BLOCK_LEN - 1)].as_mut()?;
        Some(&mut page[bin & (PAGE_LEN - 1)])
    }

    /// Page `p`, where allocated.
    pub fn page_mut(&mut self, p: usize) -> Option<&mut [u64; PAGE_LEN]> {
        let block = self.blocks.get_mut(p >> BLOCK_BITS)?.as_mut()?;
        block[p & (BLOCK_LEN - 1)].as_deref_mut()
    }

    /// Allocates page `p` (empty) and returns it; `p` must not be allocated.
    pub fn insert(&mut self, p: usize) -> &mut [u64; PAGE_LEN] {
        let b = p >> BLOCK_BITS;
        if self.blocks.len() <= b {
            self.blocks.resize_with(b + 1, || None);
        }
        let block = self.blocks[b].get_or_insert_with(|| Box::new(std::array::from_fn(|_| None)));
        let page = &mut block[p & (BLOCK_LEN - 1)];
        debug_assert!(page.is_none());
        page.insert(Box::new([0; PAGE_LEN]))
    }

    /// Removes page `p` and returns it, where allocated.
    pub fn remove(&mut self, p: usize) -> Option<Page> {
        let block = self.blocks.get_mut(p >> BLOCK_BITS)?.as_mut()?;
        block[p & (BLOCK_LEN - 1)].take()
    }

    /// The numbers of the allocated pages, in increasing order.
    pub fn numbers(&self) -> Vec<usize> {
        self.pages().map(|(p, _)| p).collect()
    }

    /// The allocated pages in increasing order: (page number, its bins).
    pub fn pages(&self) -> impl Iterator<Item = (usize, &[u64; PAGE_LEN])> + '_ {
        self.blocks
            .iter()
            .enumerate()
            .filter_map(|(b, block)| block.as_ref().map(|blk| (b, blk)))
            .flat_map(|(b, blk)| {
                blk.iter()
                    .enumerate()
                    .filter_map(move |(i, p)| p.as_deref().map(|p| ((b << BLOCK_BITS) | i, p)))
            })
    }

    /// Non-empty bins in increasing order: (bin, count).
    pub fn bins(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.pages().flat_map(|(p, page)| {
            page.iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(move |(i, &c)| ((p << PAGE_BITS) | i, c))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_their_bins_in_order() {
        let mut p = Pages::default();
        assert!(p.get_mut(70_000).is_none());
        p.insert(70_000 >> PAGE_BITS)[70_000 & (PAGE_LEN - 1)] = 3;
        p.insert(5)[1] = 2;
        *p.get_mut(70_000).expect("allocated") += 1;
        assert!(p.get_mut(5 * PAGE_LEN + 64).is_none());
        let bins: Vec<_> = p.bins().collect();
        assert_eq!(bins, vec![(5 * PAGE_LEN + 1, 2), (70_000, 4)]);
        assert!(p.page_mut(5).is_some() && p.page_mut(6).is_none());
        assert_eq!(p.numbers(), vec![5, 70_000 >> PAGE_BITS]);
        assert_eq!(p.remove(5).map(|page| page[1]), Some(2));
        assert!(p.remove(5).is_none() && p.get_mut(5 * PAGE_LEN + 1).is_none());
        assert_eq!(p.bins().collect::<Vec<_>>(), vec![(70_000, 4)]);
    }
}
