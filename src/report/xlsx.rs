//! A report as an xlsx workbook: the table (typed cells, bold frozen header, autofilter) and,
//! where the report has one, a native Excel chart beside it.

use std::path::Path;

use rust_xlsxwriter::{Chart as XlsxChart, ChartType, Workbook};

use super::{ChartKind, Report};
use crate::sheets::write::{self, Formats, TableOut};
use crate::sheets::SheetError;

pub fn write(path: &Path, report: &Report) -> Result<(), SheetError> {
    let xe = |e| write::xlsx_error(path, e);
    let f = Formats::default();
    let mut book = Workbook::new();
    let table = TableOut {
        name: report.kind.to_string(),
        headers: report.headers.clone(),
        rows: report.rows.clone(),
    };
    write::add_table(&mut book, &table, &f).map_err(xe)?;
    if let (Some(chart), false) = (&report.chart, report.rows.is_empty()) {
        let sheet = write::sheet_name(report.kind);
        let last = report.rows.len() as u32;
        let mut c = XlsxChart::new(match chart.kind {
            ChartKind::Column => ChartType::Column,
            ChartKind::Bar => ChartType::Bar,
            ChartKind::Line => ChartType::Line,
        });
        c.title().set_name(&chart.title);
        for &col in &chart.series {
            let col = col as u16;
            let cat = chart.categories as u16;
            c.add_series()
                .set_name((sheet.as_str(), 0, col))
                .set_categories((sheet.as_str(), 1, cat, last, cat))
                .set_values((sheet.as_str(), 1, col, last, col));
        }
        let ws = book.worksheet_from_index(0).map_err(xe)?;
        ws.insert_chart(1, report.headers.len() as u16 + 1, &c)
            .map_err(xe)?;
    }
    book.save(path).map_err(xe)
}
