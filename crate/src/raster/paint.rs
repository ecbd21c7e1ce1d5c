//! Colouring the heat layer alone into a surface. After a pan by whole device pixels whose
//! densities were moved (see [`super::field`]), a frame with the same colours moves the last
//! frame's pixels and colours only the strips the pan exposed; the bytes are the same as colouring
//! every pixel, since a pixel's colour depends only on its density and the [`Colors`].

use super::colorize::Colors;
use super::fast::FieldUpdate;
use crate::frame::DensityField;
use crate::style::HeatStyle;
use crate::surface::Surface;

/// The frame this renderer last coloured into a surface.
#[derive(Debug, Default)]
pub(crate) struct Painted {
    /// [`Surface::front_id`] right after that frame was swapped in: while the surface's front
    /// has this id, it holds the frame.
    front: Option<u64>,
    /// The generation of the density field it was coloured from.
    generation: u64,
    colors: Option<Colors>,
}

impl Painted {
    /// Colours `field` (brought up to the frame by `update`) with `style`, normalised by `max`,
    /// into the back of `surface` (as large as the field), and swaps.
    pub(crate) fn heat(
        &mut self,
        field: &DensityField,
        update: FieldUpdate,
        max: f32,
        style: &HeatStyle,
        surface: &mut Surface,
    ) {
        let colors = Colors::new(style, max);
        let (w, h) = (field.width as usize, field.height as usize);
        let shows_last_field =
            self.front == Some(surface.front_id()) && self.generation + 1 == update.generation;
        let same_colors = self.colors.as_ref() == Some(&colors);
        match update.moved.filter(|_| shows_last_field && same_colors) {
            Some(shift) => {
                surface.scroll_into_back(shift);
                for rect in shift.exposed(w, h) {
                    colors.paint(&field.values, w, rect, surface.back_mut());
                }
            }
            None => colors.paint_all(&field.values, surface.back_mut()),
        }
        surface.swap();
        self.front = Some(surface.front_id());
        self.generation = update.generation;
        self.colors = Some(colors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::colorize::colorize;
    use crate::raster::field::Shift;

    const W: usize = 6;
    const H: usize = 4;

    fn field(seed: f32) -> DensityField {
        DensityField {
            width: W as u32,
            height: H as u32,
            values: (0..W * H).map(|k| (k as f32 * 0.37 + seed) % 3.0).collect(),
        }
    }

    fn colored(field: &DensityField, max: f32, style: &HeatStyle) -> Vec<u8> {
        let mut rgba = vec![0; W * H * 4];
        colorize(&field.values, max, style, &mut rgba);
        rgba
    }

    /// `Painted::heat` is given fields whose kept pixels differ from the last frame's, so that
    /// the front shows whether it moved pixels (the last frame's colours) or coloured them all.
    #[test]
    fn moves_pixels_only_from_its_own_last_frame_in_the_same_colours() {
        let style = HeatStyle::default();
        let mut surface = Surface::new(W as u32, H as u32).expect("valid size");
        let mut painted = Painted::default();
        let shift = Shift { by: [2, -1] };
        let update = |generation, moved| FieldUpdate {
            generation,
            max: 0.0,
            moved,
        };
        let (a, b) = (field(0.0), field(1.3));
        painted.heat(&a, update(1, None), 3.0, &style, &mut surface);
        assert_eq!(surface.front(), colored(&a, 3.0, &style));
        // Moved: the kept pixels are a's, moved; the exposed ones b's.
        painted.heat(&b, update(2, Some(shift)), 3.0, &style, &mut surface);
        let (fresh_a, fresh_b) = (colored(&a, 3.0, &style), colored(&b, 3.0, &style));
        let exposed = shift.exposed(W, H);
        for j in 0..H {
            for i in 0..W {
                let at = 4 * (j * W + i);
                let expected = if exposed
                    .iter()
                    .any(|r| (r.x0..r.x1).contains(&i) && (r.y0..r.y1).contains(&j))
                {
                    &fresh_b[at..at + 4]
                } else {
                    let from = 4 * ((j as i64 - 1) as usize * W + i + 2);
                    &fresh_a[from..from + 4]
                };
                assert_eq!(&surface.front()[at..at + 4], expected, "pixel ({i}, {j})");
            }
        }
        // Other colours, a skipped field, or a front drawn by someone else: coloured whole.
        painted.heat(&a, update(3, Some(shift)), 2.0, &style, &mut surface);
        assert_eq!(surface.front(), colored(&a, 2.0, &style), "another maximum");
        painted.heat(&b, update(5, Some(shift)), 2.0, &style, &mut surface);
        assert_eq!(surface.front(), colored(&b, 2.0, &style), "a skipped field");
        surface.swap();
        painted.heat(&a, update(6, Some(shift)), 2.0, &style, &mut surface);
        assert_eq!(surface.front(), colored(&a, 2.0, &style), "another front");
        let mut other = Surface::new(W as u32, H as u32).expect("valid size");
        painted.heat(&b, update(7, Some(shift)), 2.0, &style, &mut other);
        assert_eq!(other.front(), colored(&b, 2.0, &style), "another surface");
    }
}
