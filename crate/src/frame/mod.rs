//! Frame rules shared by every backend: the [`FramePlan`] of a scene at a view (size, radius in
//! device pixels, where the normalisation maximum comes from), the [`StableMax`] cache behind
//! `Stable` normalisation, and what a frame hands back ([`DensityField`], [`FrameStats`]).
//!
//! The CPU ([`crate::raster`]) and GPU (`crate::gpu`) backends both read these rules from here,
//! never from each other. The stable maximum is estimated with the CPU's splat and blur
//! primitives, but it is a rule of the frame, not of a backend: one cache per heatmap, owned by
//! whoever owns the scene (the [`Engine`](crate::Engine), the command line).

mod density;
mod plan;
mod stable;
mod stats;

pub use density::DensityField;
pub(crate) use density::max_of;
pub use plan::{FramePlan, MaxSource};
pub use stable::{MAX_CELLS as STABLE_MAX_CELLS, StableMax};
pub use stats::FrameStats;
