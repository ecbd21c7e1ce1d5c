//! The one error type of the crate. Every variant says what went wrong and, where there is a
//! "where", says that too: byte offset, line and column in the input, and the feature index.

use std::fmt;

/// Where in a GeoJSON input a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceLocation {
    /// Zero-based byte offset into the input (after a leading BOM, counted from the first byte).
    pub byte_offset: usize,
    /// One-based line number.
    pub line: usize,
    /// One-based column, counted in bytes.
    pub column: usize,
    /// Zero-based index of the feature being read, when the error is inside a feature.
    pub feature_index: Option<usize>,
}

impl SourceLocation {
    /// Locates a byte offset in `input`, computing its line and column.
    pub fn at_offset(input: &[u8], byte_offset: usize, feature_index: Option<usize>) -> Self {
        let byte_offset = byte_offset.min(input.len());
        let before = &input[..byte_offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Self {
            byte_offset,
            line,
            column: byte_offset - line_start + 1,
            feature_index,
        }
    }

    /// Locates a one-based line and column in `input`, computing the byte offset.
    pub fn at_line_column(
        input: &[u8],
        line: usize,
        column: usize,
        feature_index: Option<usize>,
    ) -> Self {
        let mut line_start = 0;
        for _ in 1..line {
            match input[line_start..].iter().position(|&b| b == b'\n') {
                Some(i) => line_start += i + 1,
                None => break,
            }
        }
        let byte_offset = (line_start + column.saturating_sub(1)).min(input.len());
        Self {
            byte_offset,
            line,
            column,
            feature_index,
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte_offset
        )?;
        if let Some(index) = self.feature_index {
            write!(f, ", feature {index}")?;
        }
        Ok(())
    }
}

/// What is wrong with a GeoJSON input. Paired with a [`SourceLocation`] in [`Error::GeoJson`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GeoJsonProblem {
    /// The bytes are not valid UTF-8.
    InvalidUtf8,
    /// The input is empty or only whitespace.
    Empty,
    /// The top level is not a JSON object (GeoJSON is always an object).
    NotAnObject { found: &'static str },
    /// The input is not JSON: the parser's own description (unexpected character, EOF, ...).
    Syntax(String),
    /// The input ends before the JSON document does.
    Truncated,
    /// Arrays or objects are nested deeper than the parser allows.
    TooDeep,
    /// Something other than whitespace follows the document.
    TrailingCharacters,
    /// A number does not fit a 64-bit float (such as `1e400`).
    NumberOutOfRange,
    /// An object has no `type` member.
    MissingType,
    /// A `type` member names no GeoJSON type, or a type not allowed at this place.
    UnexpectedType {
        found: String,
        expected: &'static str,
    },
    /// A required member is missing, such as `coordinates` or `features`.
    MissingMember {
        member: &'static str,
        of: &'static str,
    },
    /// An object has a member that geoheat reads (`type`, `features`, `geometry`,
    /// `geometries`, `coordinates` or `properties`) more than once; which one would count is
    /// not defined (RFC 8259 §4), so neither does.
    DuplicateMember { member: &'static str },
    /// A Feature's `properties` has the weight property more than once; as with the members
    /// geoheat reads, which one would count is not defined, so neither does.
    DuplicateProperty { property: String },
    /// A member has the wrong JSON type or shape.
    InvalidMember {
        member: &'static str,
        reason: String,
    },
    /// A position has fewer than two numbers.
    ShortPosition { len: usize },
    /// A longitude outside [-180, 180] or a latitude outside [-90, 90].
    CoordinateOutOfRange { lon: f64, lat: f64 },
    /// The weight property is not a number.
    NonNumericWeight { property: String, found: String },
    /// The weight property is negative, or too large for a 32-bit float (over about 3.4e38).
    InvalidWeight { property: String, value: f64 },
    /// A kept property (`IngestOptions::properties`) is not a number.
    NonNumericProperty { property: String, found: String },
    /// A kept property is too large for a 32-bit float, or a time beyond ±8.64e15 ms (the
    /// range of JavaScript's `Date`).
    InvalidProperty { property: String, value: f64 },
    /// The time property is a string that is not an ISO 8601 date or date-time with a zone.
    InvalidTime { property: String, found: String },
    /// A chunked load would hold more than `limit` bytes at once: a document that is not a
    /// FeatureCollection (read only once complete), the part of a FeatureCollection outside its
    /// `features` array, or one element of that array. See
    /// [`ChunkedIngest::set_max_buffered_bytes`](crate::ingest::ChunkedIngest::set_max_buffered_bytes).
    TooLarge { limit: usize },
    /// The load would make more than `limit` points
    /// ([`IngestOptions::max_points`](crate::ingest::IngestOptions::max_points)).
    TooManyPoints { limit: usize },
}

impl GeoJsonProblem {
    /// A stable, machine-readable name for the problem, such as `GEOJSON_SYNTAX`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "GEOJSON_EMPTY",
            Self::NotAnObject { .. } => "GEOJSON_NOT_AN_OBJECT",
            Self::InvalidUtf8 => "GEOJSON_INVALID_UTF8",
            Self::Syntax(_) => "GEOJSON_SYNTAX",
            Self::Truncated => "GEOJSON_TRUNCATED",
            Self::TooDeep => "GEOJSON_TOO_DEEP",
            Self::TrailingCharacters => "GEOJSON_TRAILING_CHARACTERS",
            Self::NumberOutOfRange => "GEOJSON_NUMBER_OUT_OF_RANGE",
            Self::MissingType => "GEOJSON_MISSING_TYPE",
            Self::UnexpectedType { .. } => "GEOJSON_UNEXPECTED_TYPE",
            Self::MissingMember { .. } => "GEOJSON_MISSING_MEMBER",
            Self::DuplicateMember { .. } | Self::DuplicateProperty { .. } => {
                "GEOJSON_DUPLICATE_MEMBER"
            }
            Self::InvalidMember { .. } => "GEOJSON_INVALID_MEMBER",
            Self::ShortPosition { .. } => "GEOJSON_SHORT_POSITION",
            Self::CoordinateOutOfRange { .. } => "GEOJSON_COORDINATE_OUT_OF_RANGE",
            Self::NonNumericWeight { .. } => "GEOJSON_NON_NUMERIC_WEIGHT",
            Self::InvalidWeight { .. } => "GEOJSON_INVALID_WEIGHT",
            Self::NonNumericProperty { .. } => "GEOJSON_NON_NUMERIC_PROPERTY",
            Self::InvalidProperty { .. } => "GEOJSON_INVALID_PROPERTY",
            Self::InvalidTime { .. } => "GEOJSON_INVALID_TIME",
            Self::TooLarge { .. } => "GEOJSON_TOO_LARGE",
            Self::TooManyPoints { .. } => "GEOJSON_TOO_MANY_POINTS",
        }
    }
}

impl fmt::Display for GeoJsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUtf8 => f.write_str("input is not valid UTF-8"),
            Self::Empty => f.write_str("input is empty"),
            Self::NotAnObject { found } => {
                write!(f, "GeoJSON must be a JSON object, found {found}")
            }
            Self::Syntax(message) => write!(f, "invalid JSON: {message}"),
            Self::Truncated => f.write_str("input ends before the JSON document is complete"),
            Self::TooDeep => f.write_str("arrays or objects are nested too deeply"),
            Self::TrailingCharacters => {
                f.write_str("unexpected characters after the JSON document")
            }
            Self::NumberOutOfRange => f.write_str("number is out of range for a 64-bit float"),
            Self::MissingType => f.write_str("object has no \"type\" member"),
            Self::UnexpectedType { found, expected } => {
                write!(f, "unexpected type \"{found}\" (expected {expected})")
            }
            Self::MissingMember { member, of } => write!(f, "{of} has no \"{member}\" member"),
            Self::DuplicateMember { member } => {
                write!(f, "object has more than one \"{member}\" member")
            }
            Self::DuplicateProperty { property } => {
                write!(f, "more than one weight property \"{property}\"")
            }
            Self::InvalidMember { member, reason } => write!(f, "invalid \"{member}\": {reason}"),
            Self::ShortPosition { len } => {
                write!(
                    f,
                    "position has {len} number(s), at least 2 (longitude, latitude) are needed"
                )
            }
            Self::CoordinateOutOfRange { lon, lat } => write!(
                f,
                "coordinate [{}, {}] is outside longitude [-180, 180] / latitude [-90, 90]",
                Number(*lon),
                Number(*lat)
            ),
            Self::NonNumericWeight { property, found } => {
                write!(f, "weight property \"{property}\" is {found}, not a number")
            }
            Self::InvalidWeight { property, value } => write!(
                f,
                "weight property \"{property}\" is {}; weights must be at least 0 and at most \
                 3.4e38 (the largest 32-bit float)",
                Number(*value)
            ),
            Self::NonNumericProperty { property, found } => {
                write!(f, "property \"{property}\" is {found}, not a number")
            }
            Self::InvalidProperty { property, value } => write!(
                f,
                "property \"{property}\" is {}, beyond the range kept (32-bit floats up to \
                 3.4e38; times within ±8.64e15 ms of 1970)",
                Number(*value)
            ),
            Self::InvalidTime { property, found } => write!(
                f,
                "time property \"{property}\" is {found:?}, not an ISO 8601 date \
                 (YYYY-MM-DD) or date-time with a zone (YYYY-MM-DDThh:mm[:ss[.sss]] and Z or \
                 ±hh:mm)"
            ),
            Self::TooManyPoints { limit } => write!(f, "more than {limit} points (maxPoints)"),
            Self::TooLarge { limit } => write!(
                f,
                "a streamed load would hold over {limit} bytes (max_buffered_bytes): only \
                 a FeatureCollection's features stream"
            ),
        }
    }
}

/// Shows a number as a person would write it: `1e39`, not forty digits.
struct Number(f64);

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 != 0.0 && !(1e-6..1e16).contains(&self.0.abs()) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// What is wrong with a layer's WGSL. Paired with the layer and a location in [`Error::Wgsl`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WgslProblem {
    /// The source does not parse (with geoheat's prelude): syntax, unknown names, type errors
    /// the parser finds.
    Syntax,
    /// The module parses but naga's validator rejects it.
    Invalid,
    /// There is no `shade` function, or it has the wrong signature.
    Entry,
    /// The source declares its own resource bindings, entry points or overrides.
    Binding,
}

impl WgslProblem {
    /// A stable, machine-readable name for the problem, such as `WGSL_SYNTAX`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax => "WGSL_SYNTAX",
            Self::Invalid => "WGSL_INVALID",
            Self::Entry => "WGSL_ENTRY",
            Self::Binding => "WGSL_BINDING",
        }
    }

    /// The problem whose [`WgslProblem::code`] is `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Syntax, Self::Invalid, Self::Entry, Self::Binding]
            .into_iter()
            .find(|problem| problem.code() == code)
    }
}

impl fmt::Display for WgslProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "WGSL error",
            Self::Invalid => "invalid WGSL",
            Self::Entry => "wrong entry function",
            Self::Binding => "forbidden declaration",
        })
    }
}

/// ` at line L, column C` when known.
struct WgslAt(Option<u32>, Option<u32>);

impl fmt::Display for WgslAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(line), Some(column)) => write!(f, " at line {line}, column {column}"),
            _ => Ok(()),
        }
    }
}

/// Every error geoheat returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A GeoJSON input could not be loaded; nothing was changed.
    #[error("GeoJSON error at {at}: {problem}")]
    GeoJson {
        problem: GeoJsonProblem,
        at: SourceLocation,
    },
    /// A parsed GeoJSON document (the `geojson` crate's types, or a value walked through any
    /// serde deserializer, such as a JavaScript object) could not be loaded; nothing was changed.
    /// `feature_index` is `None` for a problem outside any feature (the root object's own members).
    #[error("GeoJSON error{}: {problem}", feature_index.map(|i| format!(" in feature {i}")).unwrap_or_default())]
    GeoJsonValue {
        problem: GeoJsonProblem,
        feature_index: Option<usize>,
    },
    /// An option or style value is invalid.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        option: &'static str,
        reason: String,
    },
    /// An options object has a member that is not an option.
    #[error("unknown option `{name}` in {context}; the options are: {}", allowed.concat().join(", "))]
    UnknownOption {
        name: String,
        context: &'static str,
        /// The option names, in groups (style, view, ...).
        allowed: &'static [&'static [&'static str]],
    },
    /// A point given as numbers (not GeoJSON) is invalid.
    #[error("invalid point {index}: {reason}")]
    InvalidPoint { index: usize, reason: String },
    /// A colour in a ramp could not be parsed.
    #[error("invalid colour {input:?}: {reason}")]
    InvalidColor { input: String, reason: &'static str },
    /// A requested image size is zero or too large.
    #[error("invalid image size {width}x{height}: {reason}")]
    InvalidSize {
        width: u32,
        height: u32,
        reason: &'static str,
    },
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// No GPU renderer can be made here: no adapter, or one without what the GPU backend needs
    /// (float32 blending). Callers fall back to the CPU renderer.
    #[error("GPU unavailable: {reason}")]
    GpuUnavailable { reason: String },
    /// The GPU rejected a frame (a validation error, out of memory, an internal error); the
    /// renderer stays usable for frames it accepts.
    #[error("GPU error: {reason}")]
    Gpu { reason: String },
    /// A layer's WGSL was rejected before reaching the GPU; the layer stack is unchanged.
    #[error("layer `{layer}`: {problem}{}: {message}", WgslAt(*line, *column))]
    Wgsl {
        layer: String,
        problem: WgslProblem,
        message: String,
        /// One-based line in the layer's own source, when the problem has a place.
        line: Option<u32>,
        /// One-based column (in bytes) in that line.
        column: Option<u32>,
    },
    /// A layer operation or layer option is invalid (unknown layer, duplicate name, uniform of
    /// the wrong type, ...); the layer stack is unchanged.
    #[error("layer `{layer}` {reason}")]
    Layer { layer: String, reason: String },
    /// A layer's `shade` returned NaN or an infinity on the GPU; those pixels were drawn
    /// transparent and the other layers are unaffected.
    #[error(
        "layer `{layer}`: shade returned NaN or an infinity at some pixels; they are drawn \
         transparent (check divisions and sqrt/log/pow arguments)"
    )]
    LayerNonFinite { layer: String },
    /// The GPU device was lost (driver reset, destroyed, tab in the background for too long);
    /// this renderer can no longer draw: create a new one or fall back to the CPU.
    #[error("GPU device lost: {reason}")]
    GpuLost { reason: String },
    /// A host method was given a value of the wrong kind (something that is not a canvas, data
    /// of a type it does not take, a malformed input event); nothing changed.
    #[error("{reason}")]
    InvalidArgument { reason: String },
    /// A weight or filter expression is malformed, or names a property that was not kept; the
    /// previous weight or filter stays. `at` is the path of the wrong part, such as
    /// `filter[2][1]`.
    #[error("invalid expression at {at}: {reason}")]
    InvalidExpression { at: String, reason: String },
    /// A listener was asked for an event that is never emitted.
    #[error("unknown event {name:?}; events are: {}", allowed.join(", "))]
    UnknownEvent {
        name: String,
        allowed: &'static [&'static str],
    },
    /// A chunked loader was used after it finished (or failed finishing).
    #[error("this loader has already finished")]
    LoaderFinished,
    /// Another load replaced the data while this one was reading; this one changed nothing.
    #[error("another load replaced the data while this one was reading")]
    LoadSuperseded,
    /// Fetching input failed: no response came (`status` is `None`: a network error, a refused
    /// URL), or the response has an HTTP error status. `url` is empty when unknown.
    #[error("{}", FetchMessage(url, *status, reason))]
    FetchFailed {
        url: String,
        status: Option<u16>,
        reason: String,
    },
    /// Reading a stream of input failed.
    #[error("reading the stream failed: {reason}")]
    StreamFailed { reason: String },
    /// The host needs a new canvas (a canvas keeps the kind of context it had, so a change of
    /// backend draws on a new one) and could not get one; the heatmap keeps its state.
    #[error("{reason}")]
    CanvasUnavailable { reason: String },
    /// The code runs where a heatmap cannot (a browser scope that is neither a window nor a
    /// dedicated worker).
    #[error("geoheat runs in a window or a dedicated worker")]
    UnsupportedScope,
}

/// The message of [`Error::FetchFailed`]: the place (the URL, else "the response") and the
/// HTTP status when there was one.
struct FetchMessage<'a>(&'a str, Option<u16>, &'a str);

impl fmt::Display for FetchMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = if self.0.is_empty() {
            "the response"
        } else {
            self.0
        };
        write!(f, "fetching {place} failed:")?;
        if let Some(status) = self.1 {
            write!(f, " HTTP {status}")?;
        }
        // A response's status text may be empty (HTTP/2 has none).
        if !self.2.is_empty() {
            write!(f, " {}", self.2)?;
        }
        Ok(())
    }
}

impl Error {
    /// A stable, machine-readable name for the kind of error (such as `GEOJSON_SYNTAX`), for
    /// callers that branch on it; the message is for people.
    pub fn code(&self) -> &'static str {
        match self {
            Self::GeoJson { problem, .. } | Self::GeoJsonValue { problem, .. } => problem.code(),
            Self::InvalidOption { .. } => "INVALID_OPTION",
            Self::UnknownOption { .. } => "UNKNOWN_OPTION",
            Self::InvalidPoint { .. } => "INVALID_POINT",
            Self::InvalidColor { .. } => "INVALID_COLOR",
            Self::InvalidSize { .. } => "INVALID_SIZE",
            Self::Png(_) => "PNG",
            Self::GpuUnavailable { .. } => "GPU_UNAVAILABLE",
            Self::Gpu { .. } => "GPU",
            Self::GpuLost { .. } => "GPU_LOST",
            Self::Wgsl { problem, .. } => problem.code(),
            Self::Layer { .. } => "LAYER",
            Self::LayerNonFinite { .. } => "LAYER_NON_FINITE",
            Self::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Self::InvalidExpression { .. } => "INVALID_EXPRESSION",
            Self::UnknownEvent { .. } => "UNKNOWN_EVENT",
            Self::LoaderFinished => "LOADER_FINISHED",
            Self::LoadSuperseded => "LOAD_SUPERSEDED",
            Self::FetchFailed { .. } => "FETCH_FAILED",
            Self::StreamFailed { .. } => "STREAM_FAILED",
            Self::CanvasUnavailable { .. } => "CANVAS_UNAVAILABLE",
            Self::UnsupportedScope => "UNSUPPORTED_SCOPE",
        }
    }

    /// Shorthand for [`Error::Layer`].
    pub fn layer(layer: &str, reason: impl Into<String>) -> Self {
        Self::Layer {
            layer: layer.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn argument(reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::InvalidOption`].
    pub fn option(option: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidOption {
            option,
            reason: reason.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_failed_names_the_place_and_the_status_when_there_is_one() {
        let http = Error::FetchFailed {
            url: "data/quakes.geojson".into(),
            status: Some(404),
            reason: "Not Found".into(),
        };
        assert_eq!(http.code(), "FETCH_FAILED");
        assert_eq!(
            http.to_string(),
            "fetching data/quakes.geojson failed: HTTP 404 Not Found"
        );
        // HTTP/2 responses have no status text; a network error has no status.
        let bare = Error::FetchFailed {
            url: String::new(),
            status: Some(500),
            reason: String::new(),
        };
        assert_eq!(bare.to_string(), "fetching the response failed: HTTP 500");
        let network = Error::FetchFailed {
            url: "https://example.invalid/".into(),
            status: None,
            reason: "Failed to fetch".into(),
        };
        assert_eq!(
            network.to_string(),
            "fetching https://example.invalid/ failed: Failed to fetch"
        );
    }

    #[test]
    fn unknown_event_lists_the_events() {
        let error = Error::UnknownEvent {
            name: "frme".into(),
            allowed: &["frame", "load"],
        };
        assert_eq!(error.code(), "UNKNOWN_EVENT");
        assert_eq!(
            error.to_string(),
            "unknown event \"frme\"; events are: frame, load"
        );
    }
}
