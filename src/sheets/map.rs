//! Which column feeds which field: a header matches a field whose name or title is the same
//! once case, accents, spaces, `_` and `-` are ignored ("Payment date" -> `payment_date`);
//! `--map "Column=field"` overrides. Decided once per file, before any row is read, so a
//! required field with no column fails the import at once.

use unicode_normalization::UnicodeNormalization;

use crate::definition::Definition;

/// The column a rejects file adds; ignored when such a file is imported again.
pub const ERROR_COLUMN: &str = "Import error";

/// What one column is used for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Target {
    Field(String),
    /// The case priority (a `Priority` column when no field is called that).
    Priority,
    #[default]
    Ignored,
}

/// The columns' uses, the key column, and what the user should know.
#[derive(Clone, Debug)]
pub struct Mapping {
    pub targets: Vec<Target>,
    pub key: Option<usize>,
    pub warnings: Vec<String>,
}

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct MapOptions {
    /// `Column=field` overrides.
    pub overrides: Vec<String>,
    pub key: Option<String>,
    pub strict: bool,
}

/// Lower case, accents dropped, and only letters and digits kept: `Päyment-Date ` -> `paymentdate`.
pub fn normalize(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Map `headers` to the fields of `def`; every problem at once as `Err`.
pub fn map_columns(
    def: &Definition,
    headers: &[String],
    letters: impl Fn(usize) -> String,
    options: &MapOptions,
) -> Result<Mapping, Vec<String>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let find_column = |name: &str| {
        let wanted = normalize(name);
        headers.iter().position(|h| normalize(h) == wanted)
    };
    let mut targets: Vec<Option<Target>> = vec![None; headers.len()];
    // Columns ignored on purpose (`--map "Column=-"`): no warning.
    let mut dropped: Vec<usize> = Vec::new();
    for spec in &options.overrides {
        let Some((column, field)) = spec.rsplit_once('=') else {
            errors.push(format!("--map {spec:?} must be \"Column=field\""));
            continue;
        };
        let Some(col) = find_column(column) else {
            errors.push(format!(
                "--map: no column {:?}; the columns are: {}",
                column.trim(),
                headers.join(", ")
            ));
            continue;
        };
        let field = field.trim();
        if field.is_empty() || field == "-" {
            targets[col] = Some(Target::Ignored);
            dropped.push(col);
        } else if let Some(f) = def.field(field) {
            targets[col] = Some(Target::Field(f.name.clone()));
        } else {
            errors.push(format!(
                "--map: `{field}` is not a field of {}{}",
                def.name,
                crate::org::suggest(field, def.fields.iter().map(|f| &f.name))
            ));
        }
    }
    for (col, header) in headers.iter().enumerate() {
        if targets[col].is_some() {
            continue;
        }
        targets[col] = Some(auto_target(def, header));
    }
    let mut targets: Vec<Target> = targets.into_iter().map(Option::unwrap_or_default).collect();
    let key = match &options.key {
        Some(name) => match find_column(name) {
            Some(col) => Some(col),
            None => {
                errors.push(format!(
                    "--key: no column {:?}; the columns are: {}",
                    name.trim(),
                    headers.join(", ")
                ));
                None
            }
        },
        None => None,
    };
    for (col, target) in targets.iter_mut().enumerate() {
        let header = &headers[col];
        let at = format!("column {} ({header:?})", letters(col));
        match target {
            Target::Field(name) => {
                let computed = def.field(name).is_some_and(|f| {
                    f.sum_of.is_some() || f.compute.is_some() || f.instalments.is_some()
                });
                if computed {
                    warnings.push(format!(
                        "{at}: `{name}` is computed by the process; the column is ignored"
                    ));
                    *target = Target::Ignored;
                }
            }
            Target::Ignored
                if Some(col) == key
                    || dropped.contains(&col)
                    || header.is_empty()
                    || header == ERROR_COLUMN
                    || super::export::FIXED.contains(&header.as_str()) => {}
            Target::Ignored => {
                let message = format!(
                    "{at} matches no field of {}{}",
                    def.name,
                    crate::org::suggest(header, def.fields.iter().map(|f| &f.name))
                );
                if options.strict {
                    errors.push(message);
                } else {
                    warnings.push(format!("{message}; ignored"));
                }
            }
            Target::Priority => {}
        }
    }
    duplicates(&targets, headers, &letters, &mut errors);
    for field in &def.fields {
        let settable =
            field.sum_of.is_none() && field.compute.is_none() && field.instalments.is_none();
        let fed = targets.contains(&Target::Field(field.name.clone()));
        if field.required && field.default.is_none() && settable && !fed {
            errors.push(format!(
                "required field `{}`{} has no column; add one or use --map \"Column={}\"",
                field.name,
                field
                    .title
                    .as_ref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default(),
                field.name
            ));
        }
    }
    if errors.is_empty() {
        Ok(Mapping {
            targets,
            key,
            warnings,
        })
    } else {
        Err(errors)
    }
}

fn auto_target(def: &Definition, header: &str) -> Target {
    let h = normalize(header);
    if h.is_empty() {
        return Target::Ignored;
    }
    let by_name = def.fields.iter().find(|f| normalize(&f.name) == h);
    let by_title = || {
        def.fields
            .iter()
            .find(|f| f.title.as_deref().is_some_and(|t| normalize(t) == h))
    };
    match by_name.or_else(by_title) {
        Some(f) => Target::Field(f.name.clone()),
        None if h == "priority" => Target::Priority,
        None => Target::Ignored,
    }
}

fn duplicates(
    targets: &[Target],
    headers: &[String],
    letters: &impl Fn(usize) -> String,
    errors: &mut Vec<String>,
) {
    for (col, target) in targets.iter().enumerate() {
        if *target == Target::Ignored {
            continue;
        }
        if let Some(first) = targets[..col].iter().position(|t| t == target) {
            errors.push(format!(
                "columns {} ({:?}) and {} ({:?}) both feed {}; drop one or use --map \"{}=-\"",
                letters(first),
                headers[first],
                letters(col),
                headers[col],
                match target {
                    Target::Field(f) => format!("`{f}`"),
                    _ => "the priority".into(),
                },
                headers[col]
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("Payment date"), "paymentdate");
        assert_eq!(normalize("payment_date"), "paymentdate");
        assert_eq!(normalize(" Fecha-de Pago "), "fechadepago");
        assert_eq!(normalize("Größe"), "große");
        assert_eq!(normalize("Categoría"), "categoria");
        assert_eq!(normalize("Имя"), "имя");
    }
}
