//! Checks a spliced layer shader with naga, so that bad WGSL is reported at the layer author's
//! line and column before any GPU sees it, on every backend.
//!
//! Checks, in order, each with its own [`WgslProblem`]: the source parses with the prelude
//! ([`WgslProblem::Syntax`]); it declares no resource bindings, entry points or pipeline overrides
//! of its own ([`WgslProblem::Binding`]); it defines `shade` with the contract's signature
//! ([`WgslProblem::Entry`]); and the whole module passes naga's validator
//! ([`WgslProblem::Invalid`]).
//!
//! naga would more than double the page's wasm, so a build without the `wgsl` feature checks
//! through a [`Validator`] installed at run time (in the browser: the validator wasm, which is
//! this module built with `wgsl`, loaded by `web::wgsl` with the first custom layer). With
//! neither, custom WGSL is refused; the built-in layers (never validated at run time) still work.

use super::shader::Splice;
use crate::error::{Error, Result};
use std::sync::OnceLock;

/// Checks a layer's WGSL as [`validate`] does: `(layer, source, declaration)` → whether the
/// layer reads `geoheat.time`, or the error [`validate`] would give.
pub type Validator = fn(&str, &str, &str) -> Result<bool>;

static INSTALLED: OnceLock<Validator> = OnceLock::new();

/// Installs the validator that builds without the `wgsl` feature check custom WGSL with (the
/// first one installed stays); builds with `wgsl` check in-process and never call it.
pub fn install_validator(validator: Validator) {
    let _ = INSTALLED.set(validator);
}

/// Checks `splice` (with its entry points); true when the layer reads `geoheat.time`.
pub(super) fn check(layer: &str, splice: &Splice) -> Result<bool> {
    #[cfg(feature = "wgsl")]
    {
        checks::check(layer, splice)
    }
    #[cfg(not(feature = "wgsl"))]
    match INSTALLED.get() {
        Some(validator) => validator(layer, splice.source, splice.declaration),
        None => Err(Error::layer(
            layer,
            "has custom WGSL, but no WGSL validator is installed (`layer::install_validator`); \
             natively, build geoheat with the `wgsl` feature",
        )),
    }
}

/// Checks a layer's WGSL `source` (which defines `shade`) spliced with `declaration` (its
/// `Uniforms` struct, [`super::Uniforms::wgsl_declaration`]) and geoheat's prelude and entry
/// points: what [`super::LayerShader::compile`] checks. True when the layer reads `geoheat.time`.
#[cfg(feature = "wgsl")]
pub fn validate(layer: &str, source: &str, declaration: &str) -> Result<bool> {
    let splice = Splice {
        with_main: true,
        ..Splice::new(source, declaration)
    };
    checks::check(layer, &splice)
}

#[cfg(feature = "wgsl")]
mod checks {
    use super::*;
    use crate::error::WgslProblem;
    use crate::layer::SHADE_SIGNATURE;
    use naga::front::wgsl::ParseError;
    use naga::valid::{Capabilities, ValidationFlags, Validator};
    use naga::{Expression, Module, Scalar, ScalarKind, Span, TypeInner, VectorSize};

    /// Checks `splice` (with its entry points); true when the layer reads `geoheat.time`.
    pub(in crate::layer) fn check(layer: &str, splice: &Splice) -> Result<bool> {
        // Uniform names that are WGSL keywords fail here, reported as what they are.
        naga::front::wgsl::parse_str(splice.declaration).map_err(|e| {
            Error::layer(
                layer,
                format!("its uniforms do not make a WGSL struct: {}", e.message()),
            )
        })?;
        let own = Splice {
            with_main: false,
            ..*splice
        };
        let source = splice.source;
        let module = parse(&own, layer)?;
        check_own_declarations(layer, source, &module, own.user_end())?;
        check_shade(layer, source, &module)?;
        let module = parse(splice, layer)?;
        Validator::new(ValidationFlags::all(), Capabilities::empty())
            .validate(&module)
            .map_err(|error| {
                let mut message = error.as_inner().to_string();
                let mut cause = std::error::Error::source(error.as_inner());
                while let Some(inner) = cause {
                    message.push_str(": ");
                    message.push_str(&inner.to_string());
                    cause = inner.source();
                }
                let span = error
                    .spans()
                    .map(|(span, _)| *span)
                    .find(|span| start(*span) < splice.user_end());
                wgsl_error(layer, WgslProblem::Invalid, message, source, span)
            })?;
        Ok(reads_time(&module, splice.user_end()))
    }

    fn parse(splice: &Splice, layer: &str) -> Result<Module> {
        naga::front::wgsl::parse_str(&splice.text()).map_err(|e| parse_error(splice, layer, &e))
    }

    fn parse_error(splice: &Splice, layer: &str, error: &ParseError) -> Error {
        let mut message = error.message().to_string();
        for (span, label) in error.labels() {
            // Labels often restate the message ("expected `;`"); add only new information.
            if !label.is_empty() && !message.contains(label) && start(span) < splice.user_end() {
                message.push_str(&format!(" ({label})"));
                break;
            }
        }
        let span = error
            .labels()
            .map(|(span, _)| span)
            .find(|span| start(*span) < splice.user_end())
            // An error found only in geoheat's text (an unclosed block, say) is reported at the
            // end of the layer's source, where the layer's text stopped making sense.
            .or(Some(Span::new(
                splice.user_end() as u32,
                splice.user_end() as u32,
            )));
        wgsl_error(layer, WgslProblem::Syntax, message, splice.source, span)
    }

    /// Bindings, entry points and overrides are geoheat's to declare.
    fn check_own_declarations(
        layer: &str,
        source: &str,
        module: &Module,
        user_end: usize,
    ) -> Result<()> {
        for (handle, global) in module.global_variables.iter() {
            let span = module.global_variables.get_span(handle);
            if start(span) >= user_end {
                continue;
            }
            if let Some(binding) = &global.binding {
                let name = global.name.as_deref().unwrap_or("_");
                return Err(wgsl_error(
                    layer,
                    WgslProblem::Binding,
                    format!(
                        "declares `@group({}) @binding({}) var {name}`; a layer reads only what \
                         geoheat binds: `geoheat`, `u` (its uniforms), density_at, value_at, \
                         max_density and ramp",
                        binding.group, binding.binding
                    ),
                    source,
                    Some(span),
                ));
            }
        }
        if let Some(entry) = module.entry_points.first() {
            let at = ["@fragment", "@vertex", "@compute"]
                .iter()
                .filter_map(|attr| source.find(attr))
                .min()
                .map(|start| Span::new(start as u32, start as u32));
            return Err(wgsl_error(
                layer,
                WgslProblem::Binding,
                format!(
                    "declares the entry point `{}`; geoheat supplies the entry points and calls \
                     `{SHADE_SIGNATURE}`",
                    entry.name
                ),
                source,
                at,
            ));
        }
        if let Some((handle, _)) = module.overrides.iter().next() {
            return Err(wgsl_error(
                layer,
                WgslProblem::Binding,
                "declares an `override`; pass values as uniforms instead".to_string(),
                source,
                Some(module.overrides.get_span(handle)),
            ));
        }
        Ok(())
    }

    /// `shade` exists and has the contract's signature.
    fn check_shade(layer: &str, source: &str, module: &Module) -> Result<()> {
        let Some((handle, function)) = module
            .functions
            .iter()
            .find(|(_, f)| f.name.as_deref() == Some("shade"))
        else {
            return Err(wgsl_error(
                layer,
                WgslProblem::Entry,
                format!("defines no `shade` function; a layer must define `{SHADE_SIGNATURE}`"),
                source,
                None,
            ));
        };
        let scalar = || TypeInner::Scalar(Scalar::F32);
        let vector = |size| TypeInner::Vector {
            size,
            scalar: Scalar::F32,
        };
        let expected_arguments = [scalar(), scalar(), vector(VectorSize::Bi)];
        let type_of = |ty: naga::Handle<naga::Type>| &module.types[ty].inner;
        let arguments_match = function.arguments.len() == expected_arguments.len()
            && function
                .arguments
                .iter()
                .zip(&expected_arguments)
                .all(|(argument, expected)| type_of(argument.ty) == expected);
        let result_matches = function
            .result
            .as_ref()
            .is_some_and(|result| *type_of(result.ty) == vector(VectorSize::Quad));
        if arguments_match && result_matches {
            return Ok(());
        }
        let arguments: Vec<String> = function
            .arguments
            .iter()
            .map(|a| {
                format!(
                    "{}: {}",
                    a.name.as_deref().unwrap_or("_"),
                    type_name(type_of(a.ty))
                )
            })
            .collect();
        let result = function.result.as_ref().map_or(String::new(), |r| {
            format!(" -> {}", type_name(type_of(r.ty)))
        });
        Err(wgsl_error(
            layer,
            WgslProblem::Entry,
            format!(
                "`shade` is `fn shade({}){result}`; it must be `{SHADE_SIGNATURE}`",
                arguments.join(", ")
            ),
            source,
            Some(module.functions.get_span(handle)),
        ))
    }

    /// A short WGSL name for scalar and vector types, `…` for others.
    fn type_name(inner: &TypeInner) -> String {
        let scalar = |s: &Scalar| match (s.kind, s.width) {
            (ScalarKind::Float, 4) => "f32",
            (ScalarKind::Float, 2) => "f16",
            (ScalarKind::Sint, 4) => "i32",
            (ScalarKind::Uint, 4) => "u32",
            (ScalarKind::Bool, _) => "bool",
            _ => "…",
        };
        match inner {
            TypeInner::Scalar(s) => scalar(s).to_string(),
            TypeInner::Vector { size, scalar: s } => format!("vec{}<{}>", *size as u8, scalar(s)),
            _ => "…".to_string(),
        }
    }

    /// True when a function of the layer's own reads `geoheat.time` (member 1 of `Geoheat`).
    fn reads_time(module: &Module, user_end: usize) -> bool {
        let Some(geoheat) = module
            .global_variables
            .iter()
            .find_map(|(h, g)| (g.name.as_deref() == Some("geoheat")).then_some(h))
        else {
            return false;
        };
        module
            .functions
            .iter()
            .filter(|(h, _)| start(module.functions.get_span(*h)) < user_end)
            .any(|(_, function)| {
                function.expressions.iter().any(|(_, expression)| {
                    matches!(expression, Expression::AccessIndex { base, index: 1 }
                        if matches!(function.expressions[*base], Expression::GlobalVariable(g) if g == geoheat))
                })
            })
    }

    /// Byte offset where `span` starts; `usize::MAX` for an unknown span (never the layer's).
    fn start(span: Span) -> usize {
        span.to_range().map_or(usize::MAX, |range| range.start)
    }

    fn wgsl_error(
        layer: &str,
        problem: WgslProblem,
        message: String,
        source: &str,
        span: Option<Span>,
    ) -> Error {
        // Spans from the layer's part are offsets into its source too (it comes first).
        let at = span.map(|span| {
            let start = start(span).min(source.len());
            let location = Span::new(start as u32, start as u32).location(source);
            (location.line_number, location.line_position)
        });
        Error::Wgsl {
            layer: layer.to_string(),
            problem,
            message,
            line: at.map(|(line, _)| line),
            column: at.map(|(_, column)| column),
        }
    }
}
