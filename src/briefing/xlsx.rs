//! The workbook (`--xlsx`): one sheet per table of the briefing (summary,
//! totals, thresholds, domains, capabilities, force, sustainability, leads,
//! nations, conditions, timeline, assumptions), numbers stored as numbers with number formats
//! (percent, thousands), and a `charts` sheet with every chart as a PNG image.
//!
//! Text from the scenario is written as text (never as a formula), its control
//! characters as visible escapes.

use rust_xlsxwriter::{Format, Image, Workbook, Worksheet, XlsxError};

use super::{Briefing, Cell, Fmt, Table};
use crate::charts::{self, Chart};
use crate::present::escape;

/// Why the workbook could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the workbook: {0}")]
pub struct WorkbookError(#[from] XlsxError);

struct Formats {
    head: Format,
    percent: Format,
    points: Format,
    thousands: Format,
    count: Format,
    amount: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            head: Format::new().set_bold().set_background_color("#EEF2F6"),
            percent: Format::new().set_num_format("0.0%"),
            points: Format::new().set_num_format("+0.0%;-0.0%;0.0%"),
            thousands: Format::new().set_num_format("#,##0"),
            count: Format::new().set_num_format("0"),
            amount: Format::new().set_num_format("#,##0.0"),
        }
    }

    fn of(&self, f: Fmt) -> &Format {
        match f {
            Fmt::Percent => &self.percent,
            Fmt::Points => &self.points,
            Fmt::Thousands => &self.thousands,
            Fmt::Count => &self.count,
            Fmt::Amount => &self.amount,
        }
    }
}

/// The briefing as an `.xlsx` workbook's bytes.
pub fn to_xlsx(b: &Briefing<'_>) -> Result<Vec<u8>, WorkbookError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    for t in b.tables() {
        let ws = wb.add_worksheet();
        sheet(ws, &t, &f)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("charts")?;
    let r = b.report;
    let mut row = 0;
    for chart in Chart::ALL
        .into_iter()
        .filter(|c| c.applies_to(r) && !r.is_empty())
    {
        ws.write_string_with_format(row, 0, chart.name(), &f.head)?;
        if let Ok(png) = charts::render(chart, r, charts::Format::Png) {
            let img = Image::new_from_buffer(&png)?
                .set_scale_width(0.5)
                .set_scale_height(0.5);
            ws.insert_image(row + 1, 0, &img)?;
        }
        // 1000 px at half scale, about 20 px a row.
        row += 27;
    }
    Ok(wb.save_to_buffer()?)
}

/// The most characters a cell holds.
const CELL_CHARS: usize = 32_767;

/// Text for a cell: escaped, and cut (ending in "…") at the most a cell holds.
fn cell_text(s: &str) -> String {
    let s = escape(s);
    if s.chars().count() <= CELL_CHARS {
        return s.into_owned();
    }
    let mut out: String = s.chars().take(CELL_CHARS - 1).collect();
    out.push('…');
    out
}

fn sheet(ws: &mut Worksheet, t: &Table, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(t.name)?;
    let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for (c, name) in t.columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, cell_text(name), &f.head)?;
    }
    for (i, row) in t.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    let s = cell_text(s);
                    widths[c] = widths[c].max(s.chars().count());
                    ws.write_string(r, col, s)?;
                }
                // A figure no trial gave stays an empty cell.
                Cell::Num(v, _) if v.is_nan() => {}
                Cell::Num(v, fmt) => {
                    widths[c] = widths[c].max(10);
                    ws.write_number_with_format(r, col, *v, f.of(*fmt))?;
                }
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(8, 60) as f64 + 1.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_longer_than_a_cell_holds_is_cut() {
        let long = "x".repeat(CELL_CHARS + 10);
        let t = cell_text(&long);
        assert_eq!(t.chars().count(), CELL_CHARS);
        assert!(t.ends_with('…'));
        assert_eq!(cell_text(&"y".repeat(CELL_CHARS)), "y".repeat(CELL_CHARS));
        assert_eq!(cell_text("short\n"), "short\\n");
    }
}
