//! Conditions and computed values: CEL expressions over the case's fields.
//!
//! An expression is compiled and type-checked when the definition is loaded: every name it
//! uses must be a declared field or constant, and it is run once against a sample value of
//! each field's declared type, which catches comparisons between the wrong types (`kind > 5`)
//! before anything is deployed. At run time an unset field is `null`.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use cel::common::types::CelString;
use cel::{Context, Env, ExecutionError, Program};

use crate::value::{FieldType, Value};

/// Variables every expression may use besides fields and constants: the kinds of the
/// documents attached to the case, and the kinds its checklist still misses (both lists
/// of text). They are reserved: no field may have these names.
pub const BUILTINS: &[&str] = &["documents", "missing_documents"];

fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // The strings extension gives upperAscii(), lowerAscii(), trim() ... for generated subjects.
        let _ = env.add_extension(cel::extensions::strings);
        // Unicode case mapping for names and cities ('Bogotá'.upper() is BOGOTÁ; upperAscii
        // leaves the á alone).
        let _ = cel::add_member_overload!(env, fn upper: (CelString) -> CelString);
        let _ = cel::add_member_overload!(env, fn lower: (CelString) -> CelString);
        Arc::new(env)
    })
    .clone()
}

fn upper(text: &CelString<'_>) -> CelString<'static> {
    text.to_uppercase().into()
}

fn lower(text: &CelString<'_>) -> CelString<'static> {
    text.to_lowercase().into()
}

/// A compiled expression and its source text.
#[derive(Clone)]
pub struct Expr {
    pub source: String,
    program: Arc<Program>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Expr({:?})", self.source)
    }
}

/// Two expressions are the same when they are written the same.
impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// What an expression is expected to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Bool,
    Field,
}

/// The names an expression may use, with their types.
pub struct Scope<'a> {
    pub fields: &'a BTreeMap<String, FieldType>,
    pub constants: &'a BTreeMap<String, Value>,
}

impl Expr {
    /// Compile and type-check; the error is a message for the definition's author.
    pub fn compile(
        source: &str,
        scope: &Scope,
        expect: Expect,
        target: Option<&FieldType>,
    ) -> Result<Expr, String> {
        let program = env().compile(source).map_err(|e| {
            let text = e.to_string();
            let detail = text
                .lines()
                .next()
                .unwrap_or(&text)
                .replace("ERROR: <input>:", "at ");
            format!("bad expression `{source}`: {detail}")
        })?;
        let bound = comprehension_variables(source);
        for name in program.references().variables() {
            if !scope.fields.contains_key(name)
                && !scope.constants.contains_key(name)
                && !BUILTINS.contains(&name)
                && !bound.iter().any(|b| b == name)
            {
                let names: Vec<String> = scope
                    .fields
                    .keys()
                    .chain(scope.constants.keys())
                    .cloned()
                    .collect();
                return Err(format!(
                    "expression `{source}` uses `{name}`, which is not a field or constant{}",
                    crate::org::suggest(name, names.iter())
                ));
            }
        }
        let expr = Expr {
            source: source.to_string(),
            program: Arc::new(program),
        };
        let samples: BTreeMap<String, Value> = scope
            .fields
            .iter()
            .map(|(k, ty)| (k.clone(), Value::sample(ty)))
            .chain(
                BUILTINS
                    .iter()
                    .map(|name| (name.to_string(), Value::sample(&FieldType::List))),
            )
            .collect();
        match expr.run(&samples, scope.constants) {
            Ok(result) => match (expect, target) {
                (Expect::Bool, _) if !matches!(result, cel::Value::Bool(_)) => Err(format!(
                    "condition `{source}` gives {}, not true or false",
                    cel_type(&result)
                )),
                (Expect::Field, Some(ty)) => Value::from_cel(ty, &result)
                    .map(|_| expr.clone())
                    .map_err(|_| {
                        format!(
                            "expression `{source}` gives {}, but the field is {}",
                            cel_type(&result),
                            ty.name()
                        )
                    }),
                _ => Ok(expr),
            },
            Err(ExecutionError::NoSuchOverload(e)) => Err(format!(
                "expression `{source}` is ill-typed: `{}` cannot take ({})",
                e.function().trim_matches('_'),
                e.argument_types().join(", ")
            )),
            Err(ExecutionError::UnsupportedBinaryOperator(op, a, b)) => Err(format!(
                "expression `{source}` is ill-typed: `{op}` cannot take ({}, {})",
                cel_type(&a),
                cel_type(&b)
            )),
            // Division by zero and the like depend on sample values, not on types.
            Err(_) => Ok(expr),
        }
    }

    fn run(
        &self,
        fields: &BTreeMap<String, Value>,
        constants: &BTreeMap<String, Value>,
    ) -> Result<cel::Value, ExecutionError> {
        let mut ctx = Context::with_env(env());
        for (name, value) in constants {
            ctx.add_variable_from_value(name.clone(), value.to_cel());
        }
        for (name, value) in fields {
            ctx.add_variable_from_value(name.clone(), value.to_cel());
        }
        self.program.execute(&ctx)
    }

    /// Evaluate against a case's fields; unset declared fields are `null`.
    pub fn eval(
        &self,
        declared: &[&str],
        fields: &BTreeMap<String, Value>,
        constants: &BTreeMap<String, Value>,
    ) -> Result<cel::Value, String> {
        let mut ctx = Context::with_env(env());
        for (name, value) in constants {
            ctx.add_variable_from_value(name.clone(), value.to_cel());
        }
        for name in declared {
            let value = fields
                .get(*name)
                .map(Value::to_cel)
                .unwrap_or(cel::Value::Null);
            ctx.add_variable_from_value(name.to_string(), value);
        }
        self.program.execute(&ctx).map_err(|e| match e {
            ExecutionError::NoSuchOverload(_) | ExecutionError::UnsupportedBinaryOperator(..) => {
                format!(
                    "`{}` could not be evaluated: a field it uses is not set",
                    self.source
                )
            }
            other => format!("`{}` could not be evaluated: {other}", self.source),
        })
    }
}

fn cel_type(value: &cel::Value) -> &'static str {
    match value {
        cel::Value::Bool(_) => "a bool",
        cel::Value::Int(_) | cel::Value::UInt(_) => "an integer",
        cel::Value::Float(_) => "a number",
        cel::Value::String(_) => "text",
        cel::Value::List(_) => "a list",
        cel::Value::Map(_) => "a map",
        cel::Value::Null => "null",
        _ => "a value",
    }
}

/// Names bound by macros such as `lines.exists(l, l.amount > 100)`.
fn comprehension_variables(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for macro_name in [".all(", ".exists(", ".exists_one(", ".map(", ".filter("] {
        let mut rest = source;
        while let Some(i) = rest.find(macro_name) {
            rest = &rest[i + macro_name.len()..];
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_types() -> BTreeMap<String, FieldType> {
        BTreeMap::from([
            ("amount".to_string(), FieldType::Money),
            ("kind".to_string(), FieldType::Enum(vec!["advance".into()])),
            ("city".to_string(), FieldType::Text),
        ])
    }

    #[test]
    fn type_checks_against_declared_fields() {
        let fields = scope_types();
        let constants = BTreeMap::new();
        let scope = Scope {
            fields: &fields,
            constants: &constants,
        };
        assert!(Expr::compile("amount > 5000", &scope, Expect::Bool, None).is_ok());
        let err = Expr::compile("kind > 5", &scope, Expect::Bool, None).unwrap_err();
        assert!(err.contains("ill-typed"), "{err}");
        let err = Expr::compile("amout > 5", &scope, Expect::Bool, None).unwrap_err();
        assert!(err.contains("did you mean `amount`"), "{err}");
        let err = Expr::compile("amount +", &scope, Expect::Bool, None).unwrap_err();
        assert!(err.starts_with("bad expression"), "{err}");
        let err = Expr::compile("amount", &scope, Expect::Bool, None).unwrap_err();
        assert!(err.contains("not true or false"), "{err}");
        assert!(Expr::compile(
            "'A-' + city.upperAscii()",
            &scope,
            Expect::Field,
            Some(&FieldType::Text)
        )
        .is_ok());
    }

    #[test]
    fn unset_fields_are_null() {
        let fields = scope_types();
        let constants = BTreeMap::new();
        let scope = Scope {
            fields: &fields,
            constants: &constants,
        };
        let expr =
            Expr::compile("amount != null && amount > 10", &scope, Expect::Bool, None).unwrap();
        let value = expr
            .eval(&["amount"], &BTreeMap::new(), &constants)
            .unwrap();
        assert_eq!(value, cel::Value::Bool(false));
    }
}
