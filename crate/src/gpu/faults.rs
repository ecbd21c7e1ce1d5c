//! Which layers' `shade` returned NaN or an infinity. The layer fragment sets its bit in
//! `geoheat_faults` (cleared every frame); a surface frame reads the bits back with its pixels, a
//! frame drawn into a view copies them into a small probe buffer that is mapped asynchronously,
//! so a browser frame never waits on it. Until a mapping has been collected, later frames skip the
//! copy rather than touch a buffer that is pending or mapped.

use crate::error::Error;
use crate::layer::LayerStack;
use std::sync::{Arc, Mutex, PoisonError};

type MapResult = Option<std::result::Result<(), wgpu::BufferAsyncError>>;

/// Faulting layers found and not yet taken, and the probe of frames drawn into views.
#[derive(Debug)]
pub(crate) struct FaultReport {
    probe: wgpu::Buffer,
    /// Layer names (bit i is layer i) of the frame whose copy was recorded but not yet mapped.
    armed: Option<Vec<String>>,
    /// The mapping under way: its outcome once the callback ran, and the frame's layer names.
    in_flight: Option<(Arc<Mutex<MapResult>>, Vec<String>)>,
    found: Vec<String>,
}

impl FaultReport {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        Self {
            probe: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("geoheat fault probe"),
                size: 4,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            armed: None,
            in_flight: None,
            found: Vec::new(),
        }
    }

    /// Records a copy of this frame's fault bits into the probe, unless the probe is busy with
    /// an earlier frame (its faults are then reported, this frame's are not).
    pub(crate) fn encode_probe(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        faults: &wgpu::Buffer,
        layers: &LayerStack,
    ) {
        if self.in_flight.is_none() && self.armed.is_none() {
            encoder.copy_buffer_to_buffer(faults, 0, &self.probe, 0, 4);
            self.armed = Some(names(layers));
        }
    }

    /// After the frame's submission: starts mapping the probe if the frame copied into it.
    pub(crate) fn submitted(&mut self) {
        let Some(names) = self.armed.take() else {
            return;
        };
        let outcome = Arc::new(Mutex::new(None));
        let callback = Arc::clone(&outcome);
        self.probe
            .map_async(wgpu::MapMode::Read, .., move |result| {
                *callback.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            });
        self.in_flight = Some((outcome, names));
    }

    /// Takes a finished mapping's faults, if one has finished.
    pub(crate) fn collect(&mut self) {
        let Some((outcome, _)) = &self.in_flight else {
            return;
        };
        let Some(result) = outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        let Some((_, names)) = self.in_flight.take() else {
            return;
        };
        // A failed mapping (a lost device) leaves nothing mapped and nothing to report.
        if result.is_ok() {
            let bits = self
                .probe
                .get_mapped_range(..)
                .map(|bytes| u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
            self.probe.unmap();
            if let Ok(bits) = bits {
                self.record(bits, &names);
            }
        }
    }

    /// Adds the layers whose bits are set in `bits` (bit i: `names[i]`).
    pub(crate) fn record(&mut self, bits: u32, names: &[String]) {
        for (i, name) in names.iter().enumerate() {
            if bits & (1 << i) != 0 && !self.found.contains(name) {
                self.found.push(name.clone());
            }
        }
    }

    /// True while a view frame's fault bits are still being mapped.
    pub(crate) fn is_pending(&self) -> bool {
        self.in_flight.is_some() || self.armed.is_some()
    }

    /// The faults found since the last call, bottom layer first within a frame.
    pub(crate) fn take(&mut self) -> Vec<Error> {
        self.found
            .drain(..)
            .map(|layer| Error::LayerNonFinite { layer })
            .collect()
    }
}

/// The names of the stack's layers, bottom first: bit i of the fault mask is `names[i]`.
pub(crate) fn names(layers: &LayerStack) -> Vec<String> {
    layers
        .layers()
        .iter()
        .map(|l| l.name().to_string())
        .collect()
}
