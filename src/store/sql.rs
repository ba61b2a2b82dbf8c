//! One way to run SQL on either database, so every query of the store is written once.
//!
//! The store's queries are plain SQL that SQLite and PostgreSQL both accept, written with
//! SQLite's numbered placeholders (`?1`); for PostgreSQL they become `$1` and the prepared
//! statement is cached per connection. Arguments are [`Arg`]s (null, integer, text, bytes,
//! boolean) and results are read with [`Row::get`] into types both drivers decode (`i64`,
//! `String`, `Vec<u8>`, `bool`, and `Option`s of them). The few places where the dialects
//! really differ (JSON paths, catalogue queries, DDL) ask [`Db::dialect`].

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, Type};

use super::{Db, Result, StoreError};

/// Which SQL the connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A borrowed connection of either kind.
#[derive(Clone, Copy)]
pub(crate) enum Conn<'c> {
    Sqlite(&'c rusqlite::Connection),
    Postgres(&'c PgConn),
}

/// A PostgreSQL connection with its prepared statements (the driver keeps none itself).
pub(crate) struct PgConn {
    pub client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
}

impl PgConn {
    pub fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
        }
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.borrow_mut().prepare(&placeholders(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Run statements that take no arguments (transaction control, DDL).
    pub fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }
}

/// `?1` → `$1`, outside quoted strings.
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// One argument of a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
    Bool(bool),
}

/// Text arguments built up with a query (filters), as [`Arg`]s.
pub(crate) fn text_args(values: &[String]) -> Vec<Arg<'_>> {
    values.iter().map(|v| Arg::Text(v)).collect()
}

/// What can be passed as an [`Arg`].
pub(crate) trait ToArg {
    fn arg(&self) -> Arg<'_>;
}

impl ToArg for Arg<'_> {
    fn arg(&self) -> Arg<'_> {
        *self
    }
}
impl ToArg for str {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self)
    }
}
impl ToArg for String {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self)
    }
}
impl ToArg for [u8] {
    fn arg(&self) -> Arg<'_> {
        Arg::Bytes(self)
    }
}
impl ToArg for Vec<u8> {
    fn arg(&self) -> Arg<'_> {
        Arg::Bytes(self)
    }
}
impl ToArg for i64 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(*self)
    }
}
impl ToArg for u32 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::from(*self))
    }
}
impl ToArg for usize {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToArg for u64 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToArg for bool {
    fn arg(&self) -> Arg<'_> {
        Arg::Bool(*self)
    }
}
impl<T: ToArg> ToArg for Option<T> {
    fn arg(&self) -> Arg<'_> {
        self.as_ref().map_or(Arg::Null, ToArg::arg)
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn arg(&self) -> Arg<'_> {
        (**self).arg()
    }
}

/// `args![a, b]`: the arguments of a statement, borrowed for the statement's duration.
macro_rules! args {
    ($($x:expr),* $(,)?) => {
        &[$($crate::store::sql::ToArg::arg(&$x)),*][..]
    };
}
pub(crate) use args;

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Arg::Null => ValueRef::Null,
            Arg::Int(i) => ValueRef::Integer(i),
            Arg::Text(s) => ValueRef::Text(s.as_bytes()),
            Arg::Bytes(b) => ValueRef::Blob(b),
            Arg::Bool(b) => ValueRef::Integer(i64::from(b)),
        }))
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl postgres::types::ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        match *self {
            Arg::Null => Ok(IsNull::Yes),
            Arg::Int(i) => match *ty {
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Arg::Text(s) => s.to_sql(ty, out),
            Arg::Bytes(b) => b.to_sql(ty, out),
            Arg::Bool(b) => match *ty {
                Type::INT8 => i64::from(b).to_sql(ty, out),
                _ => b.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A value both drivers can decode from a column.
pub(crate) trait Cell:
    rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a>
{
}
impl<T: rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a>> Cell for T {}

/// One result row.
pub(crate) enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

/// A column value of any type, for copying rows between databases.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl ToArg for Value {
    fn arg(&self) -> Arg<'_> {
        match self {
            Value::Null => Arg::Null,
            Value::Int(i) => Arg::Int(*i),
            Value::Text(s) => Arg::Text(s),
            Value::Bytes(b) => Arg::Bytes(b),
        }
    }
}

impl Row<'_> {
    /// Column `index` whatever its type (caseflow stores integers, text and bytes only).
    pub fn value(&self, index: usize) -> Result<Value> {
        match self {
            Row::Sqlite(row) => Ok(match row.get_ref(index)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::Text(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                rusqlite::types::ValueRef::Real(r) => Value::Text(r.to_string()),
            }),
            Row::Postgres(row) => {
                let ty = row.columns()[index].type_().clone();
                let decode = |e: postgres::Error| {
                    StoreError::Decode(format!("column {index} of a PostgreSQL row: {e}"))
                };
                Ok(match ty {
                    Type::INT8 | Type::INT4 | Type::INT2 => row
                        .try_get::<_, Option<i64>>(index)
                        .map_err(decode)?
                        .map_or(Value::Null, Value::Int),
                    Type::BYTEA => row
                        .try_get::<_, Option<Vec<u8>>>(index)
                        .map_err(decode)?
                        .map_or(Value::Null, Value::Bytes),
                    _ => row
                        .try_get::<_, Option<String>>(index)
                        .map_err(decode)?
                        .map_or(Value::Null, Value::Text),
                })
            }
        }
    }

    pub fn get<T: Cell>(&self, index: usize) -> Result<T> {
        match self {
            Row::Sqlite(row) => Ok(row.get(index)?),
            Row::Postgres(row) => row.try_get(index).map_err(|e| {
                StoreError::Decode(format!("column {index} of a PostgreSQL row: {e}"))
            }),
        }
    }
}

fn sqlite_args<'a>(args: &'a [Arg<'a>]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(args.iter())
}

fn pg_args<'a>(args: &'a [Arg<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| a as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl Db<'_> {
    pub fn dialect(&self) -> Dialect {
        match self.conn {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Run statements that take no arguments (transaction control).
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        match self.conn {
            Conn::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Conn::Postgres(pg) => pg.batch(sql),
        }
    }

    /// Run a statement; returns how many rows it changed.
    pub(crate) fn exec(&self, sql: &str, args: &[Arg]) -> Result<usize> {
        match self.conn {
            Conn::Sqlite(conn) => Ok(conn.prepare_cached(sql)?.execute(sqlite_args(args))?),
            Conn::Postgres(pg) => {
                let statement = pg.statement(sql)?;
                let n = pg.client.borrow_mut().execute(&statement, &pg_args(args))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Every row, each turned into a `T` by `f`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        args: &[Arg],
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each_row(sql, args, |row| {
            out.push(f(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, if any.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        args: &[Arg],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        match self.conn {
            Conn::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(sqlite_args(args))?;
                match rows.next()? {
                    Some(row) => f(&Row::Sqlite(row)).map(Some),
                    None => Ok(None),
                }
            }
            Conn::Postgres(pg) => {
                let statement = pg.statement(sql)?;
                let row = pg
                    .client
                    .borrow_mut()
                    .query_opt(&statement, &pg_args(args))?;
                row.map(|row| f(&Row::Postgres(&row))).transpose()
            }
        }
    }

    /// The single value of a query that always returns one row (`count(*)`, `RETURNING`).
    pub(crate) fn value<T: Cell>(&self, sql: &str, args: &[Arg]) -> Result<T> {
        self.row(sql, args, |r| r.get(0))?
            .ok_or_else(|| StoreError::Decode(format!("no row from {sql}")))
    }

    /// Stream the rows through `f` without holding them all (exports of a million cases).
    /// `f` must not query the database itself.
    pub(crate) fn each_row(
        &self,
        sql: &str,
        args: &[Arg],
        mut f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        match self.conn {
            Conn::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(sqlite_args(args))?;
                while let Some(row) = rows.next()? {
                    f(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Conn::Postgres(pg) => {
                let statement = pg.statement(sql)?;
                let mut client = pg.client.borrow_mut();
                let mut rows = client.query_raw(&statement, pg_args(args))?;
                while let Some(row) = rows.next()? {
                    f(&Row::Postgres(&row))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_dollars_outside_strings() {
        assert_eq!(
            super::placeholders("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 ESCAPE '\\'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 ESCAPE '\\'"
        );
    }
}
