//! The SQLite and PostgreSQL migrations build the same schema: tables,
//! columns with their (normalised) types and nullability, primary keys and
//! indexes (unique or not, partial or not, their columns in order). Compiled
//! with the `postgres` feature and run by `cargo xtask test` against its
//! private cluster (`KIZUNA_TEST_POSTGRES_URL`), so a migration written for
//! one backend only fails the run.
#![cfg(feature = "postgres")]

use std::collections::{BTreeMap, BTreeSet};

use diesel::pg::PgConnection;
use diesel::sql_types::{Bool, Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use kizuna_server::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

/// One column: normalised type and whether it may be NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    ty: String,
    nullable: bool,
}

/// One index other than the primary key's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    indexes: BTreeSet<Index>,
}

type Schema = BTreeMap<String, Table>;

/// The migrations' own bookkeeping table, which diesel creates per backend.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// One type name per kind of value, whatever each backend calls it.
fn normalise(declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    match t.as_str() {
        "bigint" | "int8" | "bigserial" => "bigint",
        "integer" | "int" | "int4" | "serial" => "integer",
        "smallint" | "int2" => "smallint",
        "text" | "character varying" | "varchar" => "text",
        "boolean" | "bool" => "boolean",
        "date" => "date",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "double precision" | "double" | "real" | "float8" | "float" => "double",
        "blob" | "bytea" | "binary" => "binary",
        _ => return t,
    }
    .to_owned()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Bool)]
    partial: bool,
}

#[derive(QueryableByName)]
struct SqliteIndexColumn {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

fn sqlite_schema(conn: &mut SqliteConnection) -> Schema {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(conn)
    .unwrap();
    let mut schema = Schema::new();
    for Name { name: table } in tables.into_iter().filter(|t| t.name != MIGRATIONS_TABLE) {
        let columns: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT name, type AS ty, \"notnull\" AS not_null, pk FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind::<Text, _>(&table)
        .load(conn)
        .unwrap();
        let mut t = Table::default();
        let mut pk: Vec<(i32, String)> = Vec::new();
        for c in &columns {
            // `INTEGER PRIMARY KEY` is the 64-bit rowid; a primary key is
            // never NULL in PostgreSQL (SQLite only says so for the rowid).
            let rowid = c.pk > 0 && c.ty.eq_ignore_ascii_case("integer");
            let ty = if rowid {
                "bigint".to_owned()
            } else {
                normalise(&c.ty)
            };
            t.columns.insert(
                c.name.clone(),
                Column {
                    ty,
                    nullable: !c.not_null && c.pk == 0,
                },
            );
            if c.pk > 0 {
                pk.push((c.pk, c.name.clone()));
            }
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, n)| n).collect();
        let indexes: Vec<SqliteIndex> = diesel::sql_query(
            "SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list(?)",
        )
        .bind::<Text, _>(&table)
        .load(conn)
        .unwrap();
        for index in indexes.into_iter().filter(|i| i.origin != "pk") {
            let columns: Vec<SqliteIndexColumn> =
                diesel::sql_query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind::<Text, _>(&index.name)
                    .load(conn)
                    .unwrap();
            t.indexes.insert(Index {
                columns: columns
                    .into_iter()
                    .map(|c| c.name.unwrap_or_else(|| "<expression>".into()))
                    .collect(),
                unique: index.is_unique,
                partial: index.partial,
            });
        }
        schema.insert(table, t);
    }
    schema
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
}

fn pg_schema(conn: &mut PgConnection) -> Schema {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .load(conn)
    .unwrap();
    let mut schema = Schema::new();
    for Name { name: table } in tables.into_iter().filter(|t| t.name != MIGRATIONS_TABLE) {
        let columns: Vec<PgColumn> = diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS ty, is_nullable = 'YES' AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind::<Text, _>(&table)
        .load(conn)
        .unwrap();
        let mut t = Table::default();
        for c in columns {
            t.columns.insert(
                c.name,
                Column {
                    ty: normalise(&c.ty),
                    nullable: c.nullable,
                },
            );
        }
        // Key columns in index order; an expression has attnum 0.
        let indexes: Vec<PgIndex> = diesel::sql_query(
            "SELECT array_to_string(ARRAY( \
                 SELECT COALESCE(a.attname::text, '<expression>') \
                 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 ORDER BY k.ord), ',') AS columns, \
             i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indpred IS NOT NULL AS partial \
             FROM pg_index i WHERE i.indrelid = $1::regclass",
        )
        .bind::<Text, _>(&table)
        .load(conn)
        .unwrap();
        for index in indexes {
            let columns: Vec<String> = index.columns.split(',').map(str::to_owned).collect();
            if index.is_primary {
                t.primary_key = columns;
            } else {
                t.indexes.insert(Index {
                    columns,
                    unique: index.is_unique,
                    partial: index.partial,
                });
            }
        }
        schema.insert(table, t);
    }
    schema
}

/// Differences between the two schemas, one readable line each.
fn differences(sqlite: &Schema, pg: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(pg.keys()).collect();
    for name in names {
        let (Some(s), Some(p)) = (sqlite.get(name), pg.get(name)) else {
            let only = if sqlite.contains_key(name) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            out.push(format!("table {name} exists only in {only}"));
            continue;
        };
        let columns: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for column in columns {
            let (a, b) = (s.columns.get(column), p.columns.get(column));
            if a != b {
                out.push(format!("{name}.{column}: SQLite {a:?}, PostgreSQL {b:?}"));
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name} primary key: SQLite {:?}, PostgreSQL {:?}",
                s.primary_key, p.primary_key
            ));
        }
        for index in s.indexes.difference(&p.indexes) {
            out.push(format!("{name}: index {index:?} only in SQLite"));
        }
        for index in p.indexes.difference(&s.indexes) {
            out.push(format!("{name}: index {index:?} only in PostgreSQL"));
        }
    }
    out
}

#[test]
fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let base = std::env::var("KIZUNA_TEST_POSTGRES_URL").expect(
        "the postgres feature's tests need KIZUNA_TEST_POSTGRES_URL (cargo xtask test sets it)",
    );
    let base = base.trim_end_matches('/');
    let name = format!("kizuna_schema_{}", std::process::id());
    let mut admin = PgConnection::establish(&format!("{base}/postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let mut pg = PgConnection::establish(&format!("{base}/{name}")).unwrap();
    pg.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut sqlite =
        SqliteConnection::establish(dir.path().join("schema.db").to_str().unwrap()).unwrap();
    sqlite.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();

    let (s, p) = (sqlite_schema(&mut sqlite), pg_schema(&mut pg));
    // The comparison must have something to compare.
    assert!(s.contains_key("accounts") && s["accounts"].columns.len() > 10);
    assert!(!s["accounts"].indexes.is_empty());
    let diff = differences(&s, &p);
    assert!(
        diff.is_empty(),
        "the migrated schemas differ:\n{}",
        diff.join("\n")
    );
}

#[test]
fn the_schema_comparison_notices_each_kind_of_difference() {
    let column = |ty: &str, nullable| Column {
        ty: ty.into(),
        nullable,
    };
    let table = || Table {
        columns: BTreeMap::from([
            ("id".to_owned(), column("bigint", false)),
            ("email".to_owned(), column("text", false)),
        ]),
        primary_key: vec!["id".into()],
        indexes: BTreeSet::from([Index {
            columns: vec!["email".into()],
            unique: true,
            partial: false,
        }]),
    };
    let a = Schema::from([("users".to_owned(), table())]);
    assert!(differences(&a, &a).is_empty());
    let mut b = Schema::from([("users".to_owned(), table())]);
    b.get_mut("users")
        .unwrap()
        .columns
        .insert("email".into(), column("text", true));
    assert_eq!(differences(&a, &b).len(), 1, "nullability");
    let mut b = Schema::from([("users".to_owned(), table())]);
    b.get_mut("users")
        .unwrap()
        .columns
        .insert("id".into(), column("integer", false));
    assert_eq!(differences(&a, &b).len(), 1, "type");
    let mut b = Schema::from([("users".to_owned(), table())]);
    b.get_mut("users").unwrap().indexes = BTreeSet::from([Index {
        columns: vec!["email".into()],
        unique: false,
        partial: false,
    }]);
    assert_eq!(differences(&a, &b).len(), 2, "uniqueness");
    let b = Schema::new();
    assert_eq!(differences(&a, &b), ["table users exists only in SQLite"]);
    assert_eq!(
        normalise("TIMESTAMP"),
        normalise("timestamp without time zone")
    );
    assert_eq!(normalise("DOUBLE PRECISION"), normalise("double precision"));
    assert_ne!(normalise("INTEGER"), normalise("bigint"));
}
