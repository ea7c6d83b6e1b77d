//! What every chart shares at the end: rendering a drawing to PNG or SVG bytes in
//! memory (plotters' bitmap and SVG backends, PNG encoded by `png`), and writing
//! one chart file whole or not at all.
//!
//! Every text reaches the backend through [`SafeText`], which replaces the
//! characters that XML 1.0 forbids (and every other control character) by
//! U+FFFD, so that a name holding control characters cannot make an SVG invalid
//! XML nor draw invisible glyphs in a PNG. plotters' SVG backend already escapes
//! `& < > " '` in text and attributes, so nothing here escapes those again.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use plotters::backend::{BitMapBackend, RGBPixel, SVGBackend};
use plotters::drawing::IntoDrawingArea;
use plotters::prelude::DrawingBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::frame::{Canvas, DrawResult};
use super::{ChartError, Format, theme};
use crate::output::write_atomic;

/// A chart: a file stem and a way to draw it.
pub(super) trait Drawing {
    /// The file stem (`force`, `sweep`, `compare` …).
    fn name(&self) -> String;
    /// Draws the whole chart on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> DrawResult<(), DB>;
}

/// The file name of `d` in `format`: `force.png`.
fn file_name<D: Drawing>(d: &D, format: Format) -> String {
    format!("{}.{}", d.name(), format.extension())
}

/// Renders `d` as PNG or SVG bytes: into an RGB buffer encoded by `png`, or an SVG
/// string, in memory, so that nothing is written until the whole chart is drawn.
pub(super) fn render<D: Drawing>(d: &D, format: Format) -> Result<Vec<u8>, ChartError> {
    let file = file_name(d, format);
    if !theme::register_font() {
        return Err(ChartError::Font { file });
    }
    match format {
        Format::Png => render_png(d, &file),
        Format::Svg => render_svg(d, &file),
    }
}

/// A drawing error of `file`.
fn failed(file: &str, message: String) -> ChartError {
    ChartError::Draw {
        file: file.to_string(),
        message,
    }
}

fn render_png<D: Drawing>(d: &D, file: &str) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (theme::WIDTH, theme::HEIGHT);
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut buf, (w, h))
            .map_err(|e| failed(file, e.to_string()))?;
        let root = SafeText(backend).into_drawing_area();
        d.draw(&root).map_err(|e| failed(file, e.to_string()))?;
        root.present().map_err(|e| failed(file, e.to_string()))?;
    }
    encode_png(&buf, w, h).map_err(|e| ChartError::Encode {
        file: file.to_string(),
        message: e.to_string(),
    })
}

fn render_svg<D: Drawing>(d: &D, file: &str) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (theme::WIDTH, theme::HEIGHT);
    let mut svg = String::new();
    {
        let root = SafeText(SVGBackend::with_string(&mut svg, (w, h))).into_drawing_area();
        d.draw(&root).map_err(|e| failed(file, e.to_string()))?;
        root.present().map_err(|e| failed(file, e.to_string()))?;
    }
    Ok(svg.into_bytes())
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Renders `d` and writes it into `dir` (created if missing), whole or not at all.
pub(super) fn write<D: Drawing>(d: &D, dir: &Path, format: Format) -> Result<PathBuf, ChartError> {
    let bytes = render(d, format)?;
    std::fs::create_dir_all(dir).map_err(|cause| ChartError::Dir {
        path: dir.to_path_buf(),
        cause,
    })?;
    let path = dir.join(file_name(d, format));
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Whether `c` may not be drawn as it is: a character XML 1.0 forbids (C0 controls
/// but tab, line feed and carriage return; U+FFFE; U+FFFF), or any other control
/// character (tab, line feed, carriage return, DEL, C1), which a chart would draw
/// as nothing.
fn unsafe_char(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// `s` with every [`unsafe_char`] replaced by U+FFFD (borrowed when there is none).
pub fn safe_text(s: &str) -> Cow<'_, str> {
    if s.chars().any(unsafe_char) {
        Cow::Owned(
            s.chars()
                .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// A backend that passes everything to `B`, every text through [`safe_text`].
pub(super) struct SafeText<B>(B);

impl<B: DrawingBackend> DrawingBackend for SafeText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.draw_text(&safe_text(text), style, pos)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        self.0.estimate_text_size(&safe_text(text), style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(safe_text("GBR & <FRA>"), "GBR & <FRA>");
        assert!(matches!(safe_text("plain"), Cow::Borrowed(_)));
        assert_eq!(safe_text("a\u{1}b\u{1b}c"), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(
            safe_text("x\u{FFFE}\u{FFFF}\u{7f}\t"),
            "x\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"
        );
    }
}
