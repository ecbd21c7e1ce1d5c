//! Turns parser errors into [`Error::GeoJson`] with a structured problem and a location.

use super::visitor::Stopped;
use crate::error::{Error, GeoJsonProblem, SourceLocation};
use serde_json::error::Category;

/// The input as the parser sees it: after a byte order mark of `skipped` bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Input<'i> {
    pub(super) bytes: &'i [u8],
    pub(super) skipped: usize,
}

impl Input<'_> {
    /// The error for `problem` at a line and column of the parsed text, located in the input as
    /// given (a byte order mark counts as three bytes of line 1).
    pub(super) fn error_at(
        &self,
        problem: GeoJsonProblem,
        line: usize,
        column: usize,
        feature_index: Option<usize>,
    ) -> Error {
        let text = &self.bytes[self.skipped..];
        let at = SourceLocation::at_line_column(text, line, column, feature_index);
        let position = TextPosition {
            line: at.line,
            column: at.column,
            offset: at.byte_offset,
        };
        position.error(problem, self.skipped, feature_index)
    }

    /// The error for a parse of the whole text that stopped.
    pub(super) fn stopped(&self, stopped: Stopped) -> Error {
        self.error_at(
            stopped.problem,
            stopped.line,
            stopped.column,
            stopped.feature_index,
        )
    }

    /// The error for `problem` at a byte offset of the input as given.
    pub(super) fn error_at_offset(&self, problem: GeoJsonProblem, byte_offset: usize) -> Error {
        Error::GeoJson {
            problem,
            at: SourceLocation::at_offset(self.bytes, byte_offset, None),
        }
    }
}

/// A place in the text (the input after a byte order mark) as the parser reports it: one-based
/// line and column, and the byte offset that [`SourceLocation::at_line_column`] derives from
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TextPosition {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) offset: usize,
}

impl TextPosition {
    /// The position serde_json reports when it stops before text byte `index` on `line`, which
    /// starts at text byte `line_start`: its column counts the bytes from the line start.
    pub(super) fn before(line: usize, line_start: usize, index: usize) -> Self {
        let column = index.saturating_sub(line_start);
        Self {
            line,
            column,
            offset: line_start + column.saturating_sub(1),
        }
    }

    /// The error for `problem` here, located in the input as given: a byte order mark of
    /// `skipped` bytes counts as bytes of line 1.
    pub(super) fn error(
        self,
        problem: GeoJsonProblem,
        skipped: usize,
        feature_index: Option<usize>,
    ) -> Error {
        // serde_json says column 0 when it stops at the start of a line, before its first
        // byte; columns here are one-based, and the byte offset already names that byte.
        let column = self.column.max(1);
        let column = if self.line == 1 {
            column + skipped
        } else {
            column
        };
        Error::GeoJson {
            problem,
            at: SourceLocation {
                byte_offset: self.offset + skipped,
                line: self.line,
                column,
                feature_index,
            },
        }
    }
}

/// Where the parser stopped in `buf`: the start of its line `line` and the index it stopped
/// before, `column` bytes into that line.
pub(super) fn index_in(buf: &[u8], line: usize, column: usize) -> (usize, usize) {
    let mut line_start = 0;
    for _ in 1..line {
        match buf[line_start..].iter().position(|&b| b == b'\n') {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    (line_start, line_start + column)
}

/// The problem behind a parser error. `recorded` is the problem a visitor stored before raising
/// the error, if any; `member` is the member being read, named when a value has the wrong type.
pub(super) fn classify(
    err: &serde_json::Error,
    recorded: Option<GeoJsonProblem>,
    member: &'static str,
) -> GeoJsonProblem {
    if let Some(problem) = recorded {
        return problem;
    }
    if err.classify() == Category::Eof {
        return GeoJsonProblem::Truncated;
    }
    // serde_json exposes its error codes only as text; these prefixes are its wording.
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    if message.starts_with("recursion limit exceeded") {
        GeoJsonProblem::TooDeep
    } else if message.starts_with("trailing characters") {
        GeoJsonProblem::TrailingCharacters
    } else if message.starts_with("number out of range") {
        GeoJsonProblem::NumberOutOfRange
    } else if err.classify() == Category::Data {
        // A value of the wrong JSON type, reported by serde as "invalid type: X, expected Y".
        GeoJsonProblem::InvalidMember {
            member,
            reason: json_words(message),
        }
    } else {
        GeoJsonProblem::Syntax(message.to_owned())
    }
}

/// serde's "invalid type: map, expected ..." in the words of JSON: "found an object, expected ...".
pub(super) fn json_words(message: &str) -> String {
    let found = message.strip_prefix("invalid type: ").unwrap_or(message);
    for (serde, json) in [
        ("map,", "an object,"),
        ("sequence,", "an array,"),
        ("unit value,", "null,"),
        ("floating point", "the number"),
        ("integer", "the number"),
        ("boolean", "the boolean"),
        ("string", "the string"),
    ] {
        if let Some(rest) = found.strip_prefix(serde) {
            return format!("found {json}{rest}");
        }
    }
    format!("found {found}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> serde_json::Error {
        match serde_json::from_str::<serde_json::Value>(text) {
            Err(err) => err,
            Ok(value) => panic!("{text} parsed as {value}"),
        }
    }

    #[test]
    fn parser_errors_map_to_problems() {
        assert_eq!(
            classify(&parse_error("[1,"), None, ""),
            GeoJsonProblem::Truncated
        );
        assert_eq!(
            classify(&parse_error("[1] x"), None, ""),
            GeoJsonProblem::TrailingCharacters
        );
        assert_eq!(
            classify(&parse_error("[1e400]"), None, ""),
            GeoJsonProblem::NumberOutOfRange
        );
        assert_eq!(
            classify(&parse_error(&"[".repeat(200)), None, ""),
            GeoJsonProblem::TooDeep
        );
        assert_eq!(
            classify(&parse_error("[NaN]"), None, ""),
            GeoJsonProblem::Syntax("expected value".to_owned())
        );
    }

    #[test]
    fn wrong_types_are_named_in_json_words() {
        let err = serde_json::from_str::<Vec<u8>>("{}").expect_err("not an array");
        assert_eq!(
            classify(&err, None, "features"),
            GeoJsonProblem::InvalidMember {
                member: "features",
                reason: "found an object, expected a sequence".to_owned()
            }
        );
        assert_eq!(
            json_words("invalid type: integer `5`, expected a string"),
            "found the number `5`, expected a string"
        );
    }

    #[test]
    fn a_recorded_problem_wins() {
        let recorded = GeoJsonProblem::MissingType;
        assert_eq!(
            classify(&parse_error("[1,"), Some(recorded.clone()), ""),
            recorded
        );
    }

    #[test]
    fn a_byte_order_mark_shifts_line_one() {
        let input = Input {
            bytes: "\u{feff}{\n x".as_bytes(),
            skipped: 3,
        };
        let Error::GeoJson { at, .. } = input.error_at(GeoJsonProblem::MissingType, 1, 1, None)
        else {
            panic!("a GeoJSON error");
        };
        assert_eq!((at.byte_offset, at.line, at.column), (3, 1, 4));
        let Error::GeoJson { at, .. } = input.error_at(GeoJsonProblem::MissingType, 2, 2, None)
        else {
            panic!("a GeoJSON error");
        };
        assert_eq!((at.byte_offset, at.line, at.column), (6, 2, 2));
    }
}
