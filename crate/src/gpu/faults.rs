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
    /// Layer names (bit i is layer i) of the frame whose bits the probe holds or will hold: only
    /// one probe copy is ever outstanding, so one list does, refreshed only when the stack's
    /// names change (frames allocate nothing for it).
    names: Vec<String>,
    /// A copy into the probe was recorded and not yet mapped.
    armed: bool,
    /// The outcome of the mapping under way, set by its callback; reused from frame to frame.
    outcome: Arc<Mutex<MapResult>>,
    in_flight: bool,
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
            names: Vec::new(),
            armed: false,
            outcome: Arc::new(Mutex::new(None)),
            in_flight: false,
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
        if !self.in_flight && !self.armed {
            encoder.copy_buffer_to_buffer(faults, 0, &self.probe, 0, 4);
            self.name_layers(layers);
            self.armed = true;
        }
    }

    /// After the frame's submission: starts mapping the probe if the frame copied into it.
    pub(crate) fn submitted(&mut self) {
        if !std::mem::take(&mut self.armed) {
            return;
        }
        let callback = Arc::clone(&self.outcome);
        self.probe
            .map_async(wgpu::MapMode::Read, .., move |result| {
                *callback.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            });
        self.in_flight = true;
    }

    /// Takes a finished mapping's faults, if one has finished.
    pub(crate) fn collect(&mut self) {
        if !self.in_flight {
            return;
        }
        let Some(result) = self
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        self.in_flight = false;
        // A failed mapping (a lost device) leaves nothing mapped and nothing to report.
        if result.is_ok() {
            let bits = self
                .probe
                .get_mapped_range(..)
                .map(|bytes| u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
            self.probe.unmap();
            if let Ok(bits) = bits {
                self.add_found(bits);
            }
        }
    }

    /// Adds the layers of `layers` whose bits are set in `bits`, for a frame read back with its
    /// pixels.
    pub(crate) fn record(&mut self, bits: u32, layers: &LayerStack) {
        for (i, layer) in layers.layers().iter().enumerate() {
            if bits & (1 << i) != 0 && !self.found.iter().any(|f| f == layer.name()) {
                self.found.push(layer.name().to_string());
            }
        }
    }

    /// Adds the probe frame's layers whose bits are set in `bits` (bit i: `names[i]`).
    fn add_found(&mut self, bits: u32) {
        for (i, name) in self.names.iter().enumerate() {
            if bits & (1 << i) != 0 && !self.found.contains(name) {
                self.found.push(name.clone());
            }
        }
    }

    /// Makes `names` the names of `layers`, bottom first, allocating only when they changed.
    fn name_layers(&mut self, layers: &LayerStack) {
        let same = self.names.len() == layers.layers().len()
            && self
                .names
                .iter()
                .zip(layers.layers())
                .all(|(name, layer)| name == layer.name());
        if !same {
            self.names.clear();
            self.names
                .extend(layers.layers().iter().map(|l| l.name().to_string()));
        }
    }

    /// True while a view frame's fault bits are still being mapped.
    pub(crate) fn is_pending(&self) -> bool {
        self.in_flight || self.armed
    }

    /// The faults found since the last call, bottom layer first within a frame.
    pub(crate) fn take(&mut self) -> Vec<Error> {
        self.found
            .drain(..)
            .map(|layer| Error::LayerNonFinite { layer })
            .collect()
    }
}
