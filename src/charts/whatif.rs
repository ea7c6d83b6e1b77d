//! What every chart shares: rendering to PNG or SVG bytes in memory, writing a
//! chart drawn from a what-if result (`sweep.png`, `compare.png`), and the frame
//! ([`super::frame::frame_with`]: the layout of every chart, with the title,
//! subtitle and footer given as text).

use std::path::{Path, PathBuf};

use plotters::backend::{BitMapBackend, RGBPixel, SVGBackend};
use plotters::drawing::IntoDrawingArea;
use plotters::prelude::DrawingBackend;

use super::frame::{Canvas, DrawResult};
use super::{ChartError, Format, theme};
use crate::output::write_atomic;

/// A chart: a file stem and a way to draw it.
pub(super) trait Drawing {
    /// The file stem (`force`, `sweep`, `compare` …).
    fn name(&self) -> &'static str;
    /// Draws the whole chart on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> DrawResult<(), DB>;
}

/// Renders `d` as PNG or SVG bytes: into an RGB buffer encoded by `png`, or an SVG
/// string, in memory, so that nothing is written until the whole chart is drawn.
pub(super) fn render<D: Drawing>(d: &D, format: Format) -> Result<Vec<u8>, ChartError> {
    let file = format!("{}.{}", d.name(), format.extension());
    if !theme::register_font() {
        return Err(ChartError::Font { file });
    }
    let failed = |message: String| ChartError::Draw {
        file: file.clone(),
        message,
    };
    let (w, h) = (theme::WIDTH, theme::HEIGHT);
    match format {
        Format::Png => {
            let mut buf = vec![0u8; w as usize * h as usize * 3];
            {
                let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut buf, (w, h))
                    .map_err(|e| failed(e.to_string()))?;
                let root = backend.into_drawing_area();
                d.draw(&root).map_err(|e| failed(e.to_string()))?;
                root.present().map_err(|e| failed(e.to_string()))?;
            }
            super::encode_png(&buf, w, h).map_err(|e| ChartError::Encode {
                file: file.clone(),
                message: e.to_string(),
            })
        }
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                d.draw(&root).map_err(|e| failed(e.to_string()))?;
                root.present().map_err(|e| failed(e.to_string()))?;
            }
            Ok(svg.into_bytes())
        }
    }
}

/// Renders `d` and writes it into `dir` (created if missing), whole or not at all.
pub(super) fn write<D: Drawing>(d: &D, dir: &Path, format: Format) -> Result<PathBuf, ChartError> {
    let bytes = render(d, format)?;
    std::fs::create_dir_all(dir).map_err(|cause| ChartError::Dir {
        path: dir.to_path_buf(),
        cause,
    })?;
    let path = dir.join(format!("{}.{}", d.name(), format.extension()));
    write_atomic(&path, &bytes)?;
    Ok(path)
}

pub(super) use super::frame::frame_with as frame;
