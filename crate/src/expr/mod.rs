//! Weight and filter expressions over the kept property columns: a small subset of MapLibre's
//! expression language, compiled once from JSON and evaluated per point without allocating.
//!
//! Evaluation goes a chunk of points at a time, one operation over the whole chunk before the
//! next ([`Scratch`] holds the intermediate values), so each step is a plain loop over arrays
//! instead of a walk of the tree per point.
//!
//! A **weight** is a property name (`"mag"`), a number, `["get", name]`, arithmetic
//! (`["+", a, b, ...]`, `["*", a, b, ...]`, `["-", a, b]`, `["-", a]`, `["/", a, b]`) or
//! `["coalesce", a, b, ...]` (the first that is not missing). A **filter** is `true`/`false`,
//! `["all", ...]`, `["any", ...]`, `["!", f]`, `["has", name]`, a comparison
//! (`==`, `!=`, `<`, `<=`, `>`, `>=`) of two weights, or `["in", weight, ["literal", [numbers]]]`.
//!
//! Missing values follow MapLibre's `null`: a property the feature lacked is NaN in its column,
//! `["==", ["get", p], null]` is true for it, `!=` true against any number, and every ordered
//! comparison with it false. Arithmetic on a missing value is missing.
//!
//! Errors name the wrong part by its path (`filter[2][1]`) and what was expected there.

use crate::error::{Error, Result};
use crate::points::Column;
mod json;

pub use json::Json;

/// A compiled weight expression.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightExpr {
    num: Num,
    names: Vec<String>,
}

/// A compiled filter expression.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterExpr {
    cond: Cond,
    names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Num {
    Const(f64),
    /// A property, by its index in the expression's `names`.
    Get(usize),
    Neg(Box<Num>),
    Bin(Arith, Box<Num>, Box<Num>),
    Coalesce(Vec<Num>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq)]
enum Cond {
    Const(bool),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Cmp(Compare, Num, Num),
    In(Num, Vec<f64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The columns an expression reads, bound once per evaluation pass: entry `i` is the column
/// of the expression's `i`-th property name, or `None` when the points do not have it (every
/// value missing).
#[derive(Debug)]
pub struct Bound<'c> {
    columns: Vec<Option<&'c Column>>,
}

/// Buffers of one evaluation pass, reused from chunk to chunk: after the first chunk an
/// evaluation allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    nums: Vec<Vec<f64>>,
    bools: Vec<Vec<bool>>,
}

impl Scratch {
    fn num(&mut self, len: usize) -> Vec<f64> {
        let mut v = self.nums.pop().unwrap_or_default();
        v.resize(len, 0.0);
        v
    }

    fn bools(&mut self, len: usize) -> Vec<bool> {
        let mut v = self.bools.pop().unwrap_or_default();
        v.resize(len, false);
        v
    }
}

fn bind<'c>(names: &[String], columns: &'c [Column]) -> Bound<'c> {
    Bound {
        columns: names
            .iter()
            .map(|name| columns.iter().find(|c| c.name() == name))
            .collect(),
    }
}

/// Refuses names that `columns` lacks, listing those it has.
fn check_names(names: &[String], paths: &[String], columns: &[Column]) -> Result<()> {
    for (name, at) in names.iter().zip(paths) {
        if !columns.iter().any(|c| c.name() == name) {
            let kept: Vec<&str> = columns.iter().map(Column::name).collect();
            let kept = match kept.is_empty() {
                true => "none (name them in the `properties` load option)".to_owned(),
                false => kept.join(", "),
            };
            return Err(Error::InvalidExpression {
                at: at.clone(),
                reason: format!("property {name:?} was not kept at load; kept: {kept}"),
            });
        }
    }
    Ok(())
}

impl WeightExpr {
    /// Compiles `value`. With `columns`, every property it reads must be one of them.
    pub fn parse(value: &Json, columns: Option<&[Column]>) -> Result<Self> {
        let (num, names) = Parser::compile(columns, |p| p.num(value, "weight".to_owned(), true))?;
        Ok(Self { num, names })
    }

    /// The property names it reads.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Binds the expression to `columns` for [`WeightExpr::eval`].
    pub fn bind<'c>(&self, columns: &'c [Column]) -> Bound<'c> {
        bind(&self.names, columns)
    }

    /// Writes the weights of points `start..start + out.len()` to `out` (NaN where a value it
    /// needs is missing). The points must exist in the bound columns.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub fn eval(&self, bound: &Bound<'_>, start: usize, out: &mut [f64], scratch: &mut Scratch) {
        self.num.eval(bound, start, out, scratch);
    }
}

impl FilterExpr {
    /// Compiles `value`. With `columns`, every property it reads must be one of them.
    pub fn parse(value: &Json, columns: Option<&[Column]>) -> Result<Self> {
        let (cond, names) = Parser::compile(columns, |p| p.cond(value, "filter".to_owned()))?;
        Ok(Self { cond, names })
    }

    /// The property names it reads.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Binds the expression to `columns` for [`FilterExpr::eval`].
    pub fn bind<'c>(&self, columns: &'c [Column]) -> Bound<'c> {
        bind(&self.names, columns)
    }

    /// Writes whether each of points `start..start + out.len()` passes to `out`. The points
    /// must exist in the bound columns.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub fn eval(&self, bound: &Bound<'_>, start: usize, out: &mut [bool], scratch: &mut Scratch) {
        self.cond.eval(bound, start, out, scratch);
    }
}

/// `out[k] = f(out[k], other[k])` over a chunk.
#[cfg_attr(wasm_for_size, optimize(speed))]
fn combine<T: Copy>(out: &mut [T], other: &[T], f: impl Fn(T, T) -> T) {
    for (o, &t) in out.iter_mut().zip(other) {
        *o = f(*o, t);
    }
}

impl Num {
    /// Writes the values of points `start..start + out.len()` to `out`.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn eval(&self, b: &Bound<'_>, start: usize, out: &mut [f64], s: &mut Scratch) {
        match self {
            Self::Const(v) => out.fill(*v),
            Self::Get(slot) => match b.columns[*slot] {
                Some(column) => {
                    let origin = column.origin();
                    for (o, &v) in out.iter_mut().zip(&column.values()[start..]) {
                        *o = origin + f64::from(v);
                    }
                }
                None => out.fill(f64::NAN),
            },
            Self::Neg(a) => {
                a.eval(b, start, out, s);
                out.iter_mut().for_each(|o| *o = -*o);
            }
            Self::Bin(op, x, y) => {
                x.eval(b, start, out, s);
                let mut other = s.num(out.len());
                y.eval(b, start, &mut other, s);
                match op {
                    Arith::Add => combine(out, &other, |x, y| x + y),
                    Arith::Sub => combine(out, &other, |x, y| x - y),
                    Arith::Mul => combine(out, &other, |x, y| x * y),
                    Arith::Div => combine(out, &other, |x, y| x / y),
                }
                s.nums.push(other);
            }
            Self::Coalesce(items) => {
                out.fill(f64::NAN);
                let mut other = s.num(out.len());
                for item in items {
                    if !out.iter().any(|o| o.is_nan()) {
                        break;
                    }
                    item.eval(b, start, &mut other, s);
                    combine(out, &other, |o, t| if o.is_nan() { t } else { o });
                }
                s.nums.push(other);
            }
        }
    }
}

impl Cond {
    /// Writes whether each of points `start..start + out.len()` passes to `out`.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn eval(&self, b: &Bound<'_>, start: usize, out: &mut [bool], s: &mut Scratch) {
        match self {
            Self::Const(v) => out.fill(*v),
            Self::All(items) | Self::Any(items) => {
                let all = matches!(self, Self::All(_));
                out.fill(all);
                let mut other = s.bools(out.len());
                for item in items {
                    item.eval(b, start, &mut other, s);
                    if all {
                        combine(out, &other, |o, t| o && t);
                    } else {
                        combine(out, &other, |o, t| o || t);
                    }
                }
                s.bools.push(other);
            }
            Self::Not(c) => {
                c.eval(b, start, out, s);
                out.iter_mut().for_each(|o| *o = !*o);
            }
            Self::Cmp(op, x, y) => {
                let (mut xs, mut ys) = (s.num(out.len()), s.num(out.len()));
                x.eval(b, start, &mut xs, s);
                y.eval(b, start, &mut ys, s);
                let compare = |x: f64, y: f64| {
                    // NaN is `null`: equal only to `null`, never ordered.
                    let equal = x == y || (x.is_nan() && y.is_nan());
                    match op {
                        Compare::Eq => equal,
                        Compare::Ne => !equal,
                        Compare::Lt => x < y,
                        Compare::Le => x <= y,
                        Compare::Gt => x > y,
                        Compare::Ge => x >= y,
                    }
                };
                for ((o, &x), &y) in out.iter_mut().zip(&xs).zip(&ys) {
                    *o = compare(x, y);
                }
                s.nums.extend([xs, ys]);
            }
            Self::In(x, set) => {
                let mut xs = s.num(out.len());
                x.eval(b, start, &mut xs, s);
                for (o, x) in out.iter_mut().zip(&xs) {
                    *o = set.contains(x);
                }
                s.nums.push(xs);
            }
        }
    }
}

/// Collects the property names an expression reads, with the path of their first use.
#[derive(Default)]
struct Parser {
    names: Vec<String>,
    paths: Vec<String>,
}

fn wrong(at: &str, reason: impl Into<String>) -> Error {
    Error::InvalidExpression {
        at: at.to_owned(),
        reason: reason.into(),
    }
}

/// A short rendering of a JSON value for an error message.
fn shown(value: &Json) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// The operator and arguments of an array expression, or an error naming what was expected.
fn call<'v>(value: &'v Json, at: &str, expected: &str) -> Result<(&'v str, &'v [Json])> {
    let Json::Array(items) = value else {
        return Err(wrong(
            at,
            format!("expected {expected}, found {}", shown(value)),
        ));
    };
    match items.split_first() {
        Some((Json::String(op), args)) => Ok((op, args)),
        Some((other, _)) => Err(wrong(
            &format!("{at}[0]"),
            format!("expected an operator name, found {}", shown(other)),
        )),
        None => Err(wrong(at, format!("expected {expected}, found []"))),
    }
}

fn arity(at: &str, op: &str, args: &[Json], range: std::ops::RangeInclusive<usize>) -> Result<()> {
    if range.contains(&args.len()) {
        return Ok(());
    }
    let wanted = match (*range.start(), *range.end()) {
        (lo, hi) if lo == hi => format!("{lo}"),
        (lo, usize::MAX) => format!("at least {lo}"),
        (lo, hi) => format!("{lo} to {hi}"),
    };
    Err(wrong(
        at,
        format!("{op:?} takes {wanted} argument(s), found {}", args.len()),
    ))
}

impl Parser {
    /// Compiles an expression with `root`, and with `columns` checks that every property it
    /// reads is one of them. Returns the compiled root and the names it reads.
    fn compile<T>(
        columns: Option<&[Column]>,
        root: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<(T, Vec<String>)> {
        let mut p = Self::default();
        let compiled = root(&mut p)?;
        if let Some(columns) = columns {
            check_names(&p.names, &p.paths, columns)?;
        }
        Ok((compiled, p.names))
    }

    fn property(&mut self, name: &str, at: String) -> Num {
        let slot = match self.names.iter().position(|n| n == name) {
            Some(slot) => slot,
            None => {
                self.names.push(name.to_owned());
                self.paths.push(at);
                self.names.len() - 1
            }
        };
        Num::Get(slot)
    }

    /// A number expression. `bare_name` lets a plain string name a property (the weight's
    /// shorthand, `"mag"`); inside expressions MapLibre reads strings as string literals,
    /// which no numeric column can equal, so they are refused there.
    fn num(&mut self, value: &Json, at: String, bare_name: bool) -> Result<Num> {
        const EXPECTED: &str = "a number, [\"get\", name] or an arithmetic expression";
        match value {
            Json::Number(n) => return Ok(Num::Const(*n)),
            Json::String(name) if bare_name => return Ok(self.property(name, at)),
            Json::Array(_) => {}
            other => {
                return Err(wrong(
                    &at,
                    format!("expected {EXPECTED}, found {}", shown(other)),
                ));
            }
        }
        let (op, args) = call(value, &at, EXPECTED)?;
        let arg = |i: usize| format!("{at}[{}]", i + 1);
        match op {
            "get" => {
                arity(&at, op, args, 1..=1)?;
                match &args[0] {
                    Json::String(name) => Ok(self.property(name, arg(0))),
                    other => Err(wrong(
                        &arg(0),
                        format!("expected a property name, found {}", shown(other)),
                    )),
                }
            }
            "+" | "*" => {
                arity(&at, op, args, 2..=usize::MAX)?;
                let op = if op == "+" { Arith::Add } else { Arith::Mul };
                let mut acc = self.num(&args[0], arg(0), false)?;
                for (i, item) in args.iter().enumerate().skip(1) {
                    let next = self.num(item, arg(i), false)?;
                    acc = Num::Bin(op, Box::new(acc), Box::new(next));
                }
                Ok(acc)
            }
            "-" if args.len() == 1 => Ok(Num::Neg(Box::new(self.num(&args[0], arg(0), false)?))),
            "-" | "/" => {
                arity(&at, op, args, 2..=2)?;
                let op = if op == "-" { Arith::Sub } else { Arith::Div };
                let x = self.num(&args[0], arg(0), false)?;
                let y = self.num(&args[1], arg(1), false)?;
                Ok(Num::Bin(op, Box::new(x), Box::new(y)))
            }
            "coalesce" => {
                arity(&at, op, args, 1..=usize::MAX)?;
                let items = args.iter().enumerate();
                let items = items.map(|(i, a)| self.num(a, arg(i), false));
                Ok(Num::Coalesce(items.collect::<Result<_>>()?))
            }
            other => Err(wrong(
                &format!("{at}[0]"),
                format!(
                    "unknown number operator {other:?}; the operators are get, +, -, *, /, \
                     coalesce"
                ),
            )),
        }
    }

    /// An operand of `==`/`!=`: a number expression, or `null` (a missing value).
    fn operand(&mut self, value: &Json, at: String, null: bool) -> Result<Num> {
        match value {
            Json::Null if null => Ok(Num::Const(f64::NAN)),
            _ => self.num(value, at, false),
        }
    }

    fn cond(&mut self, value: &Json, at: String) -> Result<Cond> {
        const EXPECTED: &str = "true, false or a filter expression";
        match value {
            Json::Bool(b) => return Ok(Cond::Const(*b)),
            Json::Array(_) => {}
            other => {
                return Err(wrong(
                    &at,
                    format!("expected {EXPECTED}, found {}", shown(other)),
                ));
            }
        }
        let (op, args) = call(value, &at, EXPECTED)?;
        let arg = |i: usize| format!("{at}[{}]", i + 1);
        let compare = match op {
            "all" | "any" => {
                let items = args.iter().enumerate();
                let items = items.map(|(i, a)| self.cond(a, arg(i)));
                let items = items.collect::<Result<_>>()?;
                return Ok(if op == "all" {
                    Cond::All(items)
                } else {
                    Cond::Any(items)
                });
            }
            "!" => {
                arity(&at, op, args, 1..=1)?;
                return Ok(Cond::Not(Box::new(self.cond(&args[0], arg(0))?)));
            }
            "has" => {
                arity(&at, op, args, 1..=1)?;
                let Json::String(name) = &args[0] else {
                    let found = shown(&args[0]);
                    return Err(wrong(
                        &arg(0),
                        format!("expected a property name, found {found}"),
                    ));
                };
                let get = self.property(name, arg(0));
                return Ok(Cond::Not(Box::new(Cond::Cmp(
                    Compare::Eq,
                    get,
                    Num::Const(f64::NAN),
                ))));
            }
            "in" => {
                arity(&at, op, args, 2..=2)?;
                let needle = self.num(&args[0], arg(0), false)?;
                return Ok(Cond::In(needle, number_list(&args[1], &arg(1))?));
            }
            "==" => Compare::Eq,
            "!=" => Compare::Ne,
            "<" => Compare::Lt,
            "<=" => Compare::Le,
            ">" => Compare::Gt,
            ">=" => Compare::Ge,
            other => {
                return Err(wrong(
                    &format!("{at}[0]"),
                    format!(
                        "unknown filter operator {other:?}; the operators are all, any, !, has, \
                         in, ==, !=, <, <=, >, >="
                    ),
                ));
            }
        };
        arity(&at, op, args, 2..=2)?;
        let null = matches!(compare, Compare::Eq | Compare::Ne);
        let x = self.operand(&args[0], arg(0), null)?;
        let y = self.operand(&args[1], arg(1), null)?;
        Ok(Cond::Cmp(compare, x, y))
    }
}

/// `["literal", [numbers]]`, the haystack of `in`.
fn number_list(value: &Json, at: &str) -> Result<Vec<f64>> {
    const EXPECTED: &str = "[\"literal\", [numbers]]";
    let (op, args) = call(value, at, EXPECTED)?;
    if op != "literal" {
        return Err(wrong(
            &format!("{at}[0]"),
            format!("expected \"literal\", found {op:?}"),
        ));
    }
    arity(at, op, args, 1..=1)?;
    let inner = format!("{at}[1]");
    let Json::Array(items) = &args[0] else {
        let found = shown(&args[0]);
        return Err(wrong(
            &inner,
            format!("expected an array of numbers, found {found}"),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let Json::Number(n) = item else {
                let found = shown(item);
                return Err(wrong(
                    &format!("{inner}[{i}]"),
                    format!("expected a number, found {found}"),
                ));
            };
            Ok(*n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::{ColumnKind, PointBuffer};
    use serde_json::json;

    /// Three points: mag 1, 2.5, missing; depth 10, missing, -5.
    fn points() -> PointBuffer {
        let columns = [
            Column::new("mag", ColumnKind::Number),
            Column::new("depth", ColumnKind::Number),
        ];
        let mut points = PointBuffer::with_columns(columns);
        for row in [[1.0, 10.0], [2.5, f64::NAN], [f64::NAN, -5.0]] {
            points.push(0.0, 0.0, 1.0);
            points.push_values(&row);
        }
        points
    }

    fn weights(expr: serde_json::Value) -> Vec<f64> {
        let points = points();
        let w = WeightExpr::parse(&expr.into(), Some(points.columns())).expect("valid");
        let bound = w.bind(points.columns());
        let mut out = vec![0.0; 3];
        w.eval(&bound, 0, &mut out, &mut Scratch::default());
        out
    }

    fn passes(expr: serde_json::Value) -> Vec<bool> {
        let points = points();
        let f = FilterExpr::parse(&expr.into(), Some(points.columns())).expect("valid");
        let bound = f.bind(points.columns());
        let mut out = vec![false; 3];
        f.eval(&bound, 0, &mut out, &mut Scratch::default());
        out
    }

    fn bits(values: Vec<f64>) -> Vec<u64> {
        values.into_iter().map(f64::to_bits).collect()
    }

    #[test]
    fn weights_read_columns_and_do_arithmetic() {
        assert_eq!(bits(weights(json!("mag"))), bits(vec![1.0, 2.5, f64::NAN]));
        assert_eq!(
            bits(weights(json!(["get", "mag"]))),
            bits(weights(json!("mag")))
        );
        assert_eq!(weights(json!(3))[2], 3.0);
        assert_eq!(
            weights(json!(["+", ["*", ["get", "mag"], 2], 1, ["/", 1, 4]]))[..2],
            [3.25, 6.25]
        );
        assert_eq!(weights(json!(["-", ["get", "depth"]]))[2], 5.0);
        assert_eq!(weights(json!(["-", 1, ["get", "mag"]]))[1], -1.5);
        assert_eq!(
            weights(json!(["coalesce", ["get", "mag"], ["get", "depth"], 0])),
            [1.0, 2.5, -5.0]
        );
    }

    #[test]
    fn filters_follow_maplibre_null_semantics() {
        assert_eq!(passes(json!(true)), [true; 3]);
        assert_eq!(
            passes(json!([">", ["get", "mag"], 2])),
            [false, true, false]
        );
        assert_eq!(
            passes(json!(["<=", ["get", "mag"], 2])),
            [true, false, false]
        );
        assert_eq!(
            passes(json!(["!=", ["get", "mag"], 1])),
            [false, true, true]
        );
        assert_eq!(
            passes(json!(["==", ["get", "mag"], null])),
            [false, false, true]
        );
        assert_eq!(passes(json!(["has", "depth"])), [true, false, true]);
        assert_eq!(
            passes(json!(["in", ["get", "depth"], ["literal", [10, -5]]])),
            [true, false, true]
        );
        assert_eq!(
            passes(json!([
                "all",
                ["has", "mag"],
                ["!", ["<", ["get", "depth"], 0]]
            ])),
            [true, true, false]
        );
        assert_eq!(
            passes(json!([
                "any",
                ["==", ["get", "mag"], 2.5],
                ["<", ["get", "depth"], 0]
            ])),
            [false, true, true]
        );
        assert_eq!(passes(json!(["all"])), [true; 3]);
        assert_eq!(passes(json!(["any"])), [false; 3]);
    }

    #[test]
    fn errors_name_the_wrong_part() {
        let columns = points().columns().to_vec();
        let cases = [
            (
                json!(["all", true, [">", ["get", "mag"], "x"]]),
                "filter[2][2]",
            ),
            (
                json!(["all", true, [">", ["get", 3], 1]]),
                "filter[2][1][1]",
            ),
            (json!(["all", ["~", 1, 2]]), "filter[1][0]"),
            (json!([">", ["get", "mag"]]), "filter"),
            (json!(["in", ["get", "mag"], [1, 2]]), "filter[2][0]"),
            (
                json!(["in", ["get", "mag"], ["literal", [1, "a"]]]),
                "filter[2][1][1]",
            ),
            (
                json!(["any", ["<", ["get", "dpeth"], 1]]),
                "filter[1][1][1]",
            ),
            (json!("mag"), "filter"),
            (json!([1, 2]), "filter[0]"),
        ];
        for (expr, at) in cases {
            let err = FilterExpr::parse(&Json::from(&expr), Some(&columns)).expect_err("bad");
            assert_eq!(err.code(), "INVALID_EXPRESSION");
            let Error::InvalidExpression { at: found, .. } = &err else {
                panic!("{err}");
            };
            assert_eq!(found, at, "{expr}: {err}");
        }
        let err = WeightExpr::parse(&Json::from(json!(["*", "mag", 2])), Some(&columns))
            .expect_err("bad");
        assert!(err.to_string().contains("weight[1]"), "{err}");
        let err = WeightExpr::parse(&Json::from(json!("dpeth")), Some(&columns)).expect_err("bad");
        assert_eq!(
            err.to_string(),
            "invalid expression at weight: property \"dpeth\" was not kept at load; kept: mag, depth"
        );
        assert!(
            WeightExpr::parse(&Json::from(json!("dpeth")), None).is_ok(),
            "checked when bound"
        );
    }
}
