//! What the what-if charts (`sweep.png`, `compare.png`) share: rendering a chart
//! that is drawn from a what-if result rather than from one report, and its frame
//! (the same layout as [`super::frame::frame`], with the title, subtitle and
//! footer given as text).

use std::path::{Path, PathBuf};

use plotters::backend::{BitMapBackend, RGBPixel, SVGBackend};
use plotters::drawing::IntoDrawingArea;
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::frame::{Canvas, DrawResult, Font, Rect, Valign, fit, line, text, width};
use super::{ChartError, Format, theme};
use crate::output::write_atomic;

/// A chart drawn from something other than a [`crate::Report`].
pub(super) trait Drawing {
    /// The file stem (`sweep`, `compare`).
    const NAME: &'static str;
    /// Draws the whole chart on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> DrawResult<(), DB>;
}

/// Renders `d` as PNG or SVG bytes.
pub(super) fn render<D: Drawing>(d: &D, format: Format) -> Result<Vec<u8>, ChartError> {
    let file = format!("{}.{}", D::NAME, format.extension());
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
    let path = dir.join(format!("{}.{}", D::NAME, format.extension()));
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Paints the background, the title block (`title` in bold over `subtitle`) and
/// the footer (`footer` on the left, the forcesim version on the right); returns
/// the body left for the chart.
pub(super) fn frame<DB: DrawingBackend>(
    root: &Canvas<DB>,
    title: &str,
    subtitle: &str,
    footer: &str,
) -> DrawResult<Rect, DB> {
    root.fill(&theme::BACKGROUND)?;
    let (w, h) = (theme::WIDTH as i32, theme::HEIGHT as i32);
    let inner = w - 2 * theme::MARGIN;
    let title_font = Font::new(theme::TITLE_SIZE).bold().v(Valign::Top);
    text(
        root,
        &fit(root, title, title_font, inner),
        (theme::MARGIN, theme::MARGIN),
        title_font,
    )?;
    let sub_font = Font::new(theme::SUBTITLE_SIZE)
        .color(theme::MUTED)
        .v(Valign::Top);
    text(
        root,
        &fit(root, subtitle, sub_font, inner),
        (theme::MARGIN, theme::MARGIN + 62),
        sub_font,
    )?;
    let rule_y = h - theme::FOOTER_HEIGHT;
    line(
        root,
        (theme::MARGIN, rule_y),
        (w - theme::MARGIN, rule_y),
        theme::GRID.stroke_width(1),
    )?;
    let footer_font = Font::new(theme::FOOTER_SIZE).color(theme::MUTED);
    let right = format!("forcesim {}", crate::VERSION);
    let right_w = width(root, &right, footer_font);
    let y = rule_y + theme::FOOTER_HEIGHT / 2;
    text(
        root,
        &fit(root, footer, footer_font, inner - right_w - 40),
        (theme::MARGIN, y),
        footer_font,
    )?;
    text(
        root,
        &right,
        (w - theme::MARGIN, y),
        footer_font.h(HPos::Right),
    )?;
    Ok(Rect {
        x0: theme::MARGIN,
        y0: theme::MARGIN + theme::HEADER_HEIGHT,
        x1: w - theme::MARGIN,
        y1: rule_y - 12,
    })
}
