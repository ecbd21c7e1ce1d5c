//! Reads the input GeoJSON into points: whole and in one pass for ordinary files, streamed
//! through [`ChunkedIngest`] in fixed-size reads for large ones, so that a file larger than
//! memory renders in memory that does not grow with it.

use geoheat::ingest::{ChunkedIngest, IngestProgress, ingest_geojson_parallel};
use geoheat::{Error, IngestOptions, IngestReport, PointBuffer};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

/// Inputs at least this large get progress lines on stderr.
const PROGRESS_THRESHOLD_BYTES: usize = 10 << 20;

/// Files at least this large are streamed. Below it the one-shot path is as fast or a little
/// faster and holds the file once beside its points (a 256 MiB file of typical features makes
/// about 30 MB of points); above it, holding the file would soon dominate memory.
pub(crate) const STREAM_THRESHOLD_BYTES: u64 = 256 << 20;

/// Size of each read when streaming: large enough that the scanner reads nearly every
/// feature in place in the piece, small beside the points.
const STREAM_READ_BYTES: usize = 4 << 20;

/// How the input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadMode {
    /// Streamed when the input is a file of at least [`STREAM_THRESHOLD_BYTES`], whole otherwise.
    #[default]
    Auto,
    /// Always streamed (`--stream`).
    Stream,
}

/// Why a load failed: reading the input, or what it held.
pub enum LoadError {
    Io(std::io::Error),
    Ingest(Error),
}

impl LoadError {
    /// The one-line message for the input called `name`.
    pub fn message(&self, name: &str) -> String {
        match self {
            Self::Io(e) => format!("{name}: {e}"),
            Self::Ingest(e) => crate::located(name, e),
        }
    }
}

/// Loads `path` (`-` for standard input) with `options`.
pub fn load(
    path: &Path,
    options: &IngestOptions,
    mode: ReadMode,
    quiet: bool,
) -> Result<(PointBuffer, IngestReport), LoadError> {
    let stdin = path.as_os_str() == "-";
    let size = match stdin {
        true => None,
        false => Some(std::fs::metadata(path).map_err(LoadError::Io)?.len()),
    };
    let stream = mode == ReadMode::Stream || size.is_some_and(|s| s >= STREAM_THRESHOLD_BYTES);
    let total = size.map_or(0, |s| usize::try_from(s).unwrap_or(usize::MAX));
    let mut reader: Box<dyn Read> = match stdin {
        true => Box::new(std::io::stdin().lock()),
        false => Box::new(std::fs::File::open(path).map_err(LoadError::Io)?),
    };
    let mut progress = Progress::new(total, quiet);
    let loaded = if stream {
        streamed(&mut reader, options, &mut progress)
    } else {
        let bytes = read_whole(&mut reader, total, &mut progress).map_err(LoadError::Io)?;
        progress = Progress::new(bytes.len(), quiet);
        ingest_geojson_parallel(&bytes, options, &mut |p| progress.update(p))
            .map_err(LoadError::Ingest)
    };
    progress.finish();
    loaded
}

/// Pushes the input through [`ChunkedIngest`] in reads of [`STREAM_READ_BYTES`].
fn streamed(
    reader: &mut dyn Read,
    options: &IngestOptions,
    progress: &mut Progress,
) -> Result<(PointBuffer, IngestReport), LoadError> {
    let mut ingest = ChunkedIngest::new(options).map_err(LoadError::Ingest)?;
    // Only a FeatureCollection's features stream; any other document is held whole, as the
    // one-shot path holds every input, rather than refused for its size.
    ingest.set_max_buffered_bytes(usize::MAX);
    let mut chunk = vec![0; STREAM_READ_BYTES];
    loop {
        let n = read_some(reader, &mut chunk).map_err(LoadError::Io)?;
        if n == 0 {
            break;
        }
        ingest.push(&chunk[..n]).map_err(LoadError::Ingest)?;
        progress.show("streaming", ingest.bytes_pushed());
    }
    ingest.finish().map_err(LoadError::Ingest)
}

/// Reads all of `reader`, `total` bytes expected (0 when unknown).
fn read_whole(
    reader: &mut dyn Read,
    total: usize,
    progress: &mut Progress,
) -> std::io::Result<Vec<u8>> {
    // Read straight into the buffer's spare room, a piece at a time for the progress line: no
    // copy through a chunk, and no zero-filling of memory the reads overwrite.
    let mut bytes = Vec::with_capacity(total);
    let piece = STREAM_READ_BYTES as u64;
    while Read::take(&mut *reader, piece).read_to_end(&mut bytes)? > 0 {
        progress.show("reading", bytes.len());
    }
    Ok(bytes)
}

/// One read, retried when a signal interrupts it.
fn read_some(reader: &mut dyn Read, chunk: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(chunk) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            read => return read,
        }
    }
}

/// Progress on stderr for large inputs: an updating line on a terminal, a line per quarter otherwise.
struct Progress {
    total: usize,
    enabled: bool,
    terminal: bool,
    last_quarter: usize,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        let enabled = !quiet && total >= PROGRESS_THRESHOLD_BYTES;
        Self {
            total,
            enabled,
            terminal: std::io::stderr().is_terminal(),
            last_quarter: 0,
        }
    }

    fn update(&mut self, p: IngestProgress) {
        self.show("parsing", p.bytes_read);
    }

    fn show(&mut self, what: &str, done: usize) {
        if !self.enabled {
            return;
        }
        let percent = done * 100 / self.total.max(1);
        let line = format!(
            "geoheat: {what} {percent:3}% ({} of {} MB)",
            done >> 20,
            self.total >> 20
        );
        if self.terminal {
            eprint!("\r{line}");
            let _ = std::io::stderr().flush();
        } else if percent / 25 > self.last_quarter {
            self.last_quarter = percent / 25;
            eprintln!("{line}");
        }
        if percent == 100 {
            self.last_quarter = 0;
        }
    }

    fn finish(&self) {
        if self.enabled && self.terminal {
            eprintln!();
        }
    }
}
