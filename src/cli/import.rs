//! `caseflow import FILE --process P`: open a case per spreadsheet row, all or nothing.

use std::path::{Path, PathBuf};

use super::common::{definition_version, Ctx};
use crate::error::CliError;
use crate::sheets::convert::{ConvertOptions, Converter};
use crate::sheets::import::{self, Job, Outcome};
use crate::sheets::map::{self, MapOptions};
use crate::sheets::read::{self, ReadOptions, Table};
use crate::sheets::SheetError;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  caseflow --as alice import claims.xlsx --process expense-claim --key 'Claim no'\n  caseflow import claims.xlsx --process expense-claim --skip-invalid --rejects bad-rows.xlsx\n  caseflow import export.csv --process complaint --map 'Customer=caller_name' --decimal-comma --date-format %d.%m.%Y --dry-run"
)]
pub struct Args {
    /// The spreadsheet: .xlsx .xlsm .xls .xlsb .ods or .csv
    pub file: PathBuf,
    /// The process each row opens a case of
    #[arg(long)]
    pub process: String,
    /// Column to field, overriding the match by name or title ("Column=field"; "Column=-" ignores it)
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// A column whose value identifies the row: re-importing skips rows already imported
    #[arg(long, value_name = "COLUMN")]
    pub key: Option<String>,
    /// With --key: update the fields of cases already imported instead of skipping them
    #[arg(long, requires = "key")]
    pub update: bool,
    /// A column that matches no field is an error, not a warning
    #[arg(long)]
    pub strict_columns: bool,
    #[command(flatten)]
    pub sheet: SheetArgs,
}

/// How to read a sheet and what to do with bad rows (shared by `import` and `act --from`).
#[derive(clap::Args, Debug, Clone)]
pub struct SheetArgs {
    /// The sheet to read (default: the first)
    #[arg(long)]
    pub sheet: Option<String>,
    /// The sheet row holding the column names (default: the first non-empty row)
    #[arg(long, value_name = "N")]
    pub header_row: Option<u32>,
    /// CSV delimiter (default: sniffed from the header line)
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Amounts written as 1 234,50 (comma before the decimals)
    #[arg(long)]
    pub decimal_comma: bool,
    /// How dates written as text look besides ISO, e.g. %d.%m.%Y
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Take the good rows and write the bad ones to a rejects file
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes bad rows (.csv or .xlsx; default: FILE-rejects next to FILE)
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Check every row and show what would happen; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

impl SheetArgs {
    /// Read `file` as these options say.
    pub fn read(&self, file: &Path) -> Result<Table, CliError> {
        let options = ReadOptions {
            sheet: self.sheet.clone(),
            header_row: self.header_row,
            delimiter: delimiter(self.delimiter.as_deref())?,
        };
        Ok(read::read(file, &options)?)
    }

    pub fn convert(&self) -> ConvertOptions {
        ConvertOptions {
            decimal_comma: self.decimal_comma,
            date_format: self.date_format.clone(),
        }
    }

    /// Write the rejects file when rows were rejected and kept out; its path.
    pub fn write_rejects(
        &self,
        file: &Path,
        rejects: crate::sheets::write::TableOut,
    ) -> Result<Option<PathBuf>, CliError> {
        if rejects.rows.is_empty() || self.dry_run {
            return Ok(None);
        }
        let path = self.rejects.clone().unwrap_or_else(|| rejects_path(file));
        crate::sheets::write::write_tables(&path, &[rejects])?;
        Ok(Some(path))
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let table = args.sheet.read(&args.file)?;
    let org = ctx.workspace.org()?;
    if org.person(&ctx.actor).is_none() {
        return Err(crate::engine::Refusal::UnknownPerson {
            person: ctx.actor.clone(),
            suggestion: crate::org::suggest(&ctx.actor, org.people.keys()),
        }
        .into());
    }
    let file = file_name(&args.file);
    let progress = super::term::progress(table.rows.len() as u64, ctx.quiet || ctx.json);
    let mut store = ctx.workspace.store()?;
    let (outcome, warnings) = store.write_if(|db| {
        let (def, version) = definition_version(db, &org, &args.process, None)?;
        let map_options = MapOptions {
            overrides: args.map.clone(),
            key: args.key.clone(),
            strict: args.strict_columns,
        };
        let mapping = map::map_columns(&def, &table.headers, |c| table.letters(c), &map_options)
            .map_err(SheetError::Columns)?;
        let conv = Converter::new(args.sheet.convert(), &org);
        let job = Job {
            def: &def,
            version,
            org: &org,
            actor: &ctx.actor,
            now: ctx.now,
            file: &file,
            update: args.update,
        };
        let outcome = import::run(db, &job, &table, &mapping, &conv, || progress.inc(1))?;
        let commit =
            !args.sheet.dry_run && (outcome.rejected.is_empty() || args.sheet.skip_invalid);
        Ok::<_, CliError>(((outcome, mapping.warnings), commit))
    })?;
    progress.finish_and_clear();
    for w in &warnings {
        if !ctx.quiet && !ctx.json {
            eprintln!("warning: {w}");
        }
    }
    if !outcome.rejected.is_empty() && !args.sheet.skip_invalid {
        return Err(SheetError::Rows {
            errors: outcome.errors(),
            invalid: outcome.rejected.len(),
            rows: outcome.rows,
            verb: "imported",
        }
        .into());
    }
    let rejects = args
        .sheet
        .write_rejects(&args.file, import::rejects_table(&table, &outcome.rejected))?;
    render(ctx, &args, &table, &outcome, &warnings, rejects.as_deref());
    Ok(())
}

pub fn delimiter(text: Option<&str>) -> Result<Option<u8>, CliError> {
    match text {
        None => Ok(None),
        Some("\\t" | "tab" | "\t") => Ok(Some(b'\t')),
        Some(t) if t.len() == 1 => Ok(t.bytes().next()),
        Some(t) => Err(CliError::Usage(format!(
            "--delimiter {t:?} must be one character (or `tab`)"
        ))),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `claims.xlsx` -> `claims-rejects.xlsx`; a csv's rejects are csv.
pub fn rejects_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    let ext = if read::is_csv(input) { "csv" } else { "xlsx" };
    input.with_file_name(format!("{stem}-rejects.{ext}"))
}

fn render(
    ctx: &Ctx,
    args: &Args,
    table: &Table,
    outcome: &Outcome,
    warnings: &[String],
    rejects: Option<&Path>,
) {
    if ctx.json {
        let doc = serde_json::json!({
            "file": args.file.display().to_string(),
            "sheet": table.sheet,
            "process": args.process,
            "dry_run": args.sheet.dry_run,
            "rows": outcome.rows,
            "created": outcome.created.iter().map(|(row, id)| serde_json::json!({"row": row, "case": id})).collect::<Vec<_>>(),
            "updated": outcome.updated.iter().map(|(row, id)| serde_json::json!({"row": row, "case": id})).collect::<Vec<_>>(),
            "skipped": outcome.skipped.iter().map(|(row, key, id)| serde_json::json!({"row": row, "key": key, "case": id})).collect::<Vec<_>>(),
            "rejected": outcome.rejected.len(),
            "errors": outcome.errors(),
            "rejects_file": rejects.map(|p| p.display().to_string()),
            "warnings": warnings,
        });
        println!("{doc}");
        return;
    }
    if ctx.quiet {
        return;
    }
    let verb = if args.sheet.dry_run {
        "would open"
    } else {
        "opened"
    };
    let ids: Vec<&str> = outcome.created.iter().map(|(_, id)| id.as_str()).collect();
    let shown = match ids.as_slice() {
        [] => String::new(),
        [one] => format!(": {one}"),
        [first, .., last] => format!(": {first} … {last}"),
    };
    println!(
        "{verb} {} case{} from {} ({}, {} row{}){shown}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        args.file.display(),
        table.sheet,
        outcome.rows,
        if outcome.rows == 1 { "" } else { "s" },
    );
    if !outcome.updated.is_empty() {
        println!(
            "updated {} case{}",
            outcome.updated.len(),
            if outcome.updated.len() == 1 { "" } else { "s" }
        );
    }
    if !outcome.skipped.is_empty() {
        println!(
            "skipped {} row{} already imported (same key)",
            outcome.skipped.len(),
            if outcome.skipped.len() == 1 { "" } else { "s" }
        );
    }
    if !outcome.rejected.is_empty() {
        let to = rejects
            .map(|p| format!("; written to {}", p.display()))
            .unwrap_or_default();
        println!(
            "rejected {} row{}{to}:",
            outcome.rejected.len(),
            if outcome.rejected.len() == 1 { "" } else { "s" }
        );
        for e in outcome.errors() {
            println!("  {e}");
        }
    }
}
