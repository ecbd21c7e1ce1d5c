//! Fault de-duplication: a layer whose `shade` returns NaN or an infinity does so on every frame,
//! and is reported once per shader (a hot-swapped shader is a new one and is reported again).

use crate::error::Error;
use crate::layer::LayerStack;

/// The layer shaders whose non-finite results were reported already.
#[derive(Debug, Default)]
pub(crate) struct FaultLog {
    reported: Vec<u64>,
}

impl FaultLog {
    /// The faults of `faults` (from [`GpuRenderer::take_faults`](crate::GpuRenderer)) not
    /// reported yet, one per shader of `layers`; faults of layers removed since are dropped.
    pub(crate) fn new_faults(&mut self, faults: Vec<Error>, layers: &LayerStack) -> Vec<Error> {
        let mut new = Vec::new();
        for fault in faults {
            let Error::LayerNonFinite { layer } = &fault else {
                continue;
            };
            let Some(id) = layers.get(layer).map(|l| l.shader().id()) else {
                continue;
            };
            if !self.reported.contains(&id) {
                self.reported.push(id);
                new.push(fault);
            }
        }
        new
    }
}
