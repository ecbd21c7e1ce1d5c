//! Row-major f32 grids as the CPU kernels see them: the samples and the row width together, so a
//! kernel takes its input and its output as one value each instead of a slice and its sizes.

/// A row-major grid to read: `values` holds whole rows of `width` samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid<'a> {
    pub(crate) values: &'a [f32],
    pub(crate) width: usize,
}

/// A row-major grid to write: `values` holds whole rows of `width` samples.
#[derive(Debug)]
pub(crate) struct GridMut<'a> {
    pub(crate) values: &'a mut [f32],
    pub(crate) width: usize,
}

impl<'a> Grid<'a> {
    pub(crate) fn new(values: &'a [f32], width: usize) -> Self {
        debug_assert!(width > 0 && values.len().is_multiple_of(width));
        Self { values, width }
    }

    /// Row `k`.
    pub(crate) fn row(&self, k: usize) -> &'a [f32] {
        &self.values[k * self.width..(k + 1) * self.width]
    }
}

impl<'a> GridMut<'a> {
    pub(crate) fn new(values: &'a mut [f32], width: usize) -> Self {
        debug_assert!(width > 0 && values.len().is_multiple_of(width));
        Self { values, width }
    }

    /// Number of rows.
    pub(crate) fn height(&self) -> usize {
        self.values.len() / self.width
    }
}
