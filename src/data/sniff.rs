//! Detection of what kind of text file we were given, before any column is read: binary
//! signatures, encoding (BOM, UTF-16, Windows-1252), line endings, delimiter, decimal separator
//! and whether the first row is a header. It owns no table state; `table` calls it once.

use std::borrow::Cow;

use serde::Serialize;

use super::DataError;
use super::number::{Decimal, is_missing, parse_number};

/// What the loader found out about the file, shown by `nanograd inspect` and the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// "UTF-8", "UTF-8 (BOM)", "UTF-16LE", "UTF-16BE" or "windows-1252".
    pub encoding: String,
    /// The field delimiter byte: `,` `;` tab or `|`.
    pub delimiter: u8,
    /// The decimal separator used by numbers in the file.
    pub decimal: Decimal,
    /// Whether the first non-blank row was taken as column names.
    pub has_header: bool,
    /// "LF", "CRLF", "CR", "mixed" or "none" (a single line without terminator).
    pub line_endings: String,
    /// Number of data rows (blank rows and the header excluded; ragged rows included).
    pub data_rows: usize,
}

impl Detection {
    /// A human name for the delimiter: "comma", "semicolon", "tab", "pipe".
    pub fn delimiter_name(&self) -> &'static str {
        delimiter_name(self.delimiter)
    }
}

/// "comma", "semicolon", "tab", "pipe" (or "other").
pub fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "pipe",
        _ => "other",
    }
}

/// The delimiters we try, in order of preference when two explain the file equally well.
pub(crate) const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How much of the file the sniffers look at: enough rows to see a pattern, small enough to
/// cost nothing on a 70 MB file.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;
/// Rows the delimiter sniffer parses at most.
const SNIFF_ROWS: usize = 200;

/// Text ready for the CSV reader: UTF-8, no BOM. Lines end in `\n`, `\r\n` or a lone `\r`:
/// the reader ends a record at any of the three, and [`count_line_ends`] counts them alike.
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, [u8]>,
    pub encoding: String,
    pub line_endings: &'static str,
    /// Whether some line ends in a lone `\r`, so that counting lines must look for it.
    pub lone_cr: bool,
    pub warnings: Vec<String>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Recognises well-known binary formats by their first bytes, so that a teacher who picked
/// the .xlsx instead of the .csv is told exactly that.
fn binary_signature(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const SAVE_AS_CSV: &str = "open it in the spreadsheet program and use File → Save As → CSV";
    let signatures: [(&[u8], &str, &str); 8] = [
        (
            b"PK\x03\x04",
            "it is a zip archive, such as an Excel .xlsx or LibreOffice .ods workbook",
            SAVE_AS_CSV,
        ),
        (
            b"\xD0\xCF\x11\xE0",
            "it is an old Excel .xls workbook",
            SAVE_AS_CSV,
        ),
        (
            b"%PDF",
            "it is a PDF document",
            "export the table as CSV instead",
        ),
        (
            b"\x89PNG",
            "it is a PNG image",
            "choose the CSV file instead",
        ),
        (
            b"\xFF\xD8\xFF",
            "it is a JPEG image",
            "choose the CSV file instead",
        ),
        (b"\x1F\x8B", "it is gzip-compressed", "decompress it first"),
        (b"GIF8", "it is a GIF image", "choose the CSV file instead"),
        (
            b"SQLite format 3",
            "it is an SQLite database",
            "export the table as CSV",
        ),
    ];
    signatures
        .iter()
        .find(|(magic, _, _)| bytes.starts_with(magic))
        .map(|&(_, what, hint)| (what, hint))
}

/// Guesses UTF-16 without a BOM from where the zero bytes fall: ASCII text in UTF-16LE has a
/// zero in every odd byte, in UTF-16BE in every even byte.
fn guess_utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let prefix = &bytes[..bytes.len().min(4096) & !1];
    let n_pairs = prefix.len() / 2;
    if n_pairs < 2 {
        return None;
    }
    let even_zeros = prefix.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_zeros = prefix
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_zeros * 10 >= n_pairs * 4 && even_zeros * 20 < n_pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_zeros * 10 >= n_pairs * 4 && odd_zeros * 20 < n_pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Refuses, from its first bytes alone, a file that is a known binary format or UTF-32, so
/// that a large one is named for what it is before it is read whole. `decode` makes the same
/// checks first, so a file refused here would be refused there with the same message.
pub(crate) fn refuse_known_binary(start: &[u8]) -> Result<(), DataError> {
    if let Some((what, hint)) = binary_signature(start) {
        return Err(DataError::Binary {
            what: what.to_owned(),
            hint: hint.to_owned(),
        });
    }
    if start.starts_with(b"\xFF\xFE\0\0") || start.starts_with(b"\0\0\xFE\xFF") {
        return Err(DataError::Encoding {
            encoding: "UTF-32".to_owned(),
        });
    }
    Ok(())
}

/// UTF-16 by its byte-order mark or, without one, by where its zero bytes fall; with the
/// length of the mark to skip.
fn utf16_of(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, usize)> {
    if bytes.starts_with(b"\xFF\xFE") {
        Some((encoding_rs::UTF_16LE, 2))
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some((encoding_rs::UTF_16BE, 2))
    } else {
        guess_utf16_without_bom(bytes).map(|e| (e, 0))
    }
}

/// Decodes `bytes` to UTF-8 text, or refuses binary content. Takes the bytes by value so that
/// an owned file is converted in place or dropped as soon as its UTF-8 copy exists: the raw
/// file and its copy are never both kept while the table is built.
pub(crate) fn decode(bytes: Cow<'_, [u8]>) -> Result<Decoded<'_>, DataError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DataError::Empty);
    }
    refuse_known_binary(&bytes)?;
    let mut warnings = Vec::new();
    let (text, encoding): (Cow<'_, [u8]>, String) = if bytes.starts_with(UTF8_BOM) {
        if std::str::from_utf8(&bytes[UTF8_BOM.len()..]).is_err() {
            return Err(DataError::Encoding {
                encoding: "UTF-8 (it starts with a UTF-8 marker but has invalid bytes)".to_owned(),
            });
        }
        (strip_start(bytes, UTF8_BOM.len()), "UTF-8 (BOM)".to_owned())
    } else if let Some((encoding, bom_len)) = utf16_of(&bytes) {
        // Refuse rather than replace: a half-decoded file would show mojibake column names.
        let body = &bytes[bom_len..];
        let utf8_len = utf16_utf8_len(body, encoding == encoding_rs::UTF_16LE);
        let decoded = to_utf8(encoding, body, utf8_len).ok_or_else(|| DataError::Encoding {
            encoding: encoding.name().to_owned(),
        })?;
        drop(bytes);
        warnings.push(format!(
            "the file is encoded as {}; it was converted to UTF-8",
            encoding.name()
        ));
        (Cow::Owned(decoded), encoding.name().to_owned())
    } else if std::str::from_utf8(&bytes).is_ok() {
        (bytes, "UTF-8".to_owned())
    } else {
        // Not UTF-8: the usual culprit is an older Excel "CSV (Comma delimited)" export,
        // which writes Windows-1252. Every byte decodes, so binary is caught below.
        let windows_1252 = encoding_rs::WINDOWS_1252;
        let decoded =
            to_utf8(windows_1252, &bytes, windows_1252_utf8_len(&bytes)).ok_or_else(|| {
                DataError::Encoding {
                    encoding: windows_1252.name().to_owned(),
                }
            })?;
        drop(bytes);
        warnings.push(
            "the file is not UTF-8; it was read as Windows-1252 (Western European, as written \
             by older Excel versions)"
                .to_owned(),
        );
        (Cow::Owned(decoded), "windows-1252".to_owned())
    };
    check_not_binary(&text)?;
    let (line_endings, lone_cr) = line_endings(&text);
    Ok(Decoded {
        text,
        encoding,
        line_endings,
        lone_cr,
        warnings,
    })
}

/// Decodes all of `input` to UTF-8, or `None` at the first malformed sequence. Through a
/// small buffer into a vector of `utf8_len` bytes: encoding_rs's own whole-input decoding
/// reserves the worst case (3 bytes per input byte for Windows-1252) and writes to every page
/// of it, which would make a 1 GB file cost 3 GB before a row is read.
fn to_utf8(
    encoding: &'static encoding_rs::Encoding,
    input: &[u8],
    utf8_len: usize,
) -> Option<Vec<u8>> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = Vec::with_capacity(utf8_len);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut rest = input;
    loop {
        let (result, read, written) =
            decoder.decode_to_utf8_without_replacement(rest, &mut buffer, true);
        out.extend_from_slice(&buffer[..written]);
        rest = &rest[read..];
        match result {
            encoding_rs::DecoderResult::InputEmpty => return Some(out),
            encoding_rs::DecoderResult::OutputFull => {}
            encoding_rs::DecoderResult::Malformed(..) => return None,
        }
    }
}

/// The UTF-8 length of valid UTF-16 text: 1 to 3 bytes a unit, 4 for a surrogate pair.
fn utf16_utf8_len(utf16: &[u8], little_endian: bool) -> usize {
    utf16
        .chunks_exact(2)
        .map(|pair| {
            let unit = if little_endian {
                u16::from_le_bytes([pair[0], pair[1]])
            } else {
                u16::from_be_bytes([pair[0], pair[1]])
            };
            match unit {
                0..0x80 => 1,
                0x80..0x800 => 2,
                0xD800..0xE000 => 2,
                _ => 3,
            }
        })
        .sum()
}

/// The UTF-8 length of Windows-1252 text: ASCII stays 1 byte, `0xA0..` (Latin-1) becomes 2,
/// `0x80..0xA0` (€, curly quotes…) 3.
fn windows_1252_utf8_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| match b {
            0..0x80 => 1,
            0x80..0xA0 => 3,
            _ => 2,
        })
        .sum()
}

/// `bytes` without its first `n`: shifted in place when owned, so the file is not copied.
fn strip_start(bytes: Cow<'_, [u8]>, n: usize) -> Cow<'_, [u8]> {
    match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(&b[n..]),
        Cow::Owned(mut v) => {
            v.drain(..n);
            Cow::Owned(v)
        }
    }
}

/// The start of a file decoded as `decode` would decode the whole of it, for estimating
/// what loading it takes; `true` when decoding the whole file makes a UTF-8 copy of it.
/// Lossy, because the start may end inside a character.
pub(crate) fn decode_start(start: &[u8]) -> (Cow<'_, [u8]>, bool) {
    if let Some(rest) = start.strip_prefix(UTF8_BOM) {
        return (Cow::Borrowed(rest), false);
    }
    if let Some((encoding, bom_len)) = utf16_of(start) {
        let body = &start[bom_len..];
        let (text, _) = encoding.decode_without_bom_handling(&body[..body.len() & !1]);
        return (Cow::Owned(text.into_owned().into_bytes()), true);
    }
    match std::str::from_utf8(start) {
        Ok(_) => (Cow::Borrowed(start), false),
        // Cut inside a character at the end: still UTF-8.
        Err(e) if e.error_len().is_none() => (Cow::Borrowed(start), false),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(start);
            (Cow::Owned(text.into_owned().into_bytes()), true)
        }
    }
}

/// Refuses the start of a file that looks like binary data (as `decode` would judge it), so
/// that a file too large to load is refused as binary instead when it is not text at all.
pub(crate) fn refuse_binary_start(start: &[u8]) -> Result<(), DataError> {
    refuse_known_binary(start)?;
    check_not_binary(&decode_start(start).0)
}

/// Refuses text whose start is full of control characters: CSV exports never contain them,
/// random or binary files always do.
fn check_not_binary(text: &[u8]) -> Result<(), DataError> {
    let prefix = &text[..text.len().min(SNIFF_BYTES)];
    let is_control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A);
    let n_controls = prefix.iter().filter(|&&b| is_control(b)).count();
    let has_nul = prefix.contains(&0);
    if has_nul || n_controls * 100 > prefix.len() {
        return Err(DataError::Binary {
            what: "it contains binary data, not text".to_owned(),
            hint: "choose a .csv or .txt file exported from a spreadsheet or program".to_owned(),
        });
    }
    Ok(())
}

/// How lines end ("LF", "CRLF", "CR", "mixed" or "none"), and whether any ends in a lone `\r`
/// (files from classic Mac programs). The text is not rewritten: the CSV reader already ends
/// a record at a lone `\r`, and rewriting it would copy the whole file.
fn line_endings(text: &[u8]) -> (&'static str, bool) {
    // Fast path for the common LF-only file: one memchr scan.
    if !text.contains(&b'\r') {
        let label = if text.contains(&b'\n') { "LF" } else { "none" };
        return (label, false);
    }
    let (mut has_crlf, mut has_lone_cr, mut has_lone_lf) = (false, false, false);
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'\r' if text.get(i + 1) == Some(&b'\n') => has_crlf = true,
            b'\r' => has_lone_cr = true,
            b'\n' if i == 0 || text[i - 1] != b'\r' => has_lone_lf = true,
            _ => {}
        }
    }
    let label = match (has_crlf, has_lone_cr, has_lone_lf) {
        (true, false, false) => "CRLF",
        (false, true, false) => "CR",
        _ => "mixed",
    };
    (label, has_lone_cr)
}

/// Line ends in `text`: every `\n`, and with `lone_cr` also every `\r` not followed by `\n`
/// (a `\r\n` pair is one line end). Without `lone_cr` it is a plain byte count, which the
/// compiler vectorises; the 2 M-row load counts every line.
pub(crate) fn count_line_ends(text: &[u8], lone_cr: bool) -> usize {
    let newlines = text.iter().filter(|&&b| b == b'\n').count();
    if !lone_cr {
        return newlines;
    }
    let inner_lone = text
        .windows(2)
        .filter(|pair| pair[0] == b'\r' && pair[1] != b'\n')
        .count();
    newlines + inner_lone + usize::from(text.last() == Some(&b'\r'))
}

/// The first ~64 KB of the text, cut after the last complete line (if there is one).
pub(crate) fn sniff_prefix(text: &[u8]) -> &[u8] {
    if text.len() <= SNIFF_BYTES {
        return text;
    }
    let prefix = &text[..SNIFF_BYTES];
    match prefix.iter().rposition(|&b| b == b'\n' || b == b'\r') {
        Some(end) => &prefix[..=end],
        None => prefix,
    }
}

/// Parses up to `SNIFF_ROWS` non-blank records of `prefix` with `delimiter`.
pub(crate) fn sample_records(prefix: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(prefix);
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    while records.len() < SNIFF_ROWS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let fields: Vec<String> = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f.trim_ascii()).into_owned())
                    .collect();
                if fields.iter().any(|f| !f.is_empty()) {
                    records.push(fields);
                }
            }
            Ok(false) | Err(_) => break,
        }
    }
    records
}

/// The most common number of fields per record, and the fraction of records that have it.
pub(crate) fn modal_field_count(records: &[Vec<String>]) -> (usize, f64) {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for r in records {
        match counts.iter_mut().find(|(len, _)| *len == r.len()) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.len(), 1)),
        }
    }
    // Ties go to the larger field count: a short stray row should not decide the width.
    counts
        .iter()
        .max_by_key(|&&(len, n)| (n, len))
        .map(|&(len, n)| (len, n as f64 / records.len() as f64))
        .unwrap_or((0, 0.0))
}

/// Picks the delimiter that splits the sample into a consistent number (≥ 2) of fields, and
/// whose fields below the first row look most like numbers. The numeric part breaks the tie
/// in European files like `1,5;2,5`, where a comma also splits every row consistently.
pub(crate) fn sniff_delimiter(prefix: &[u8]) -> u8 {
    let mut best = (b',', 0.0f64);
    for delimiter in DELIMITERS {
        let records = sample_records(prefix, delimiter);
        let (width, consistency) = modal_field_count(&records);
        if width < 2 {
            continue;
        }
        let decimal = sniff_decimal(&records, delimiter);
        let score = consistency + 0.5 * CellKinds::below_first_row(&records, decimal).numbers();
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

/// How the cells of sampled records below the first row divide into numbers, text and missing
/// values: the delimiter sniffer favours numbers, the memory estimate counts text.
pub(crate) struct CellKinds {
    numbers: usize,
    texts: usize,
    cells: usize,
}

impl CellKinds {
    pub(crate) fn below_first_row(records: &[Vec<String>], decimal: Decimal) -> Self {
        let mut kinds = Self {
            numbers: 0,
            texts: 0,
            cells: 0,
        };
        for field in records.iter().skip(1).flatten() {
            kinds.cells += 1;
            if is_missing(field) {
                continue;
            }
            if parse_number(field, decimal).is_some() {
                kinds.numbers += 1;
            } else {
                kinds.texts += 1;
            }
        }
        kinds
    }

    /// The share of cells that are numbers (0 without cells).
    pub(crate) fn numbers(&self) -> f64 {
        self.share(self.numbers)
    }

    /// The share of cells that are text (0 without cells).
    pub(crate) fn texts(&self) -> f64 {
        self.share(self.texts)
    }

    fn share(&self, count: usize) -> f64 {
        if self.cells == 0 {
            0.0
        } else {
            count as f64 / self.cells as f64
        }
    }
}

/// Decides whether numbers use a decimal comma (`3,14`): they do when more sample cells look
/// like `3,14` than like `3.14`.
pub(crate) fn sniff_decimal(records: &[Vec<String>], delimiter: u8) -> Decimal {
    let (mut n_comma, mut n_point) = (0usize, 0usize);
    for field in records.iter().skip(1).flatten() {
        // In a comma-delimited file a comma inside a number can only appear quoted; `"1,234"`
        // is then a thousands separator, while `"1,5"` (German exports) is a decimal comma.
        let is_thousands = delimiter == b',' && field.split(',').skip(1).all(|g| g.len() == 3);
        if looks_like_decimal_comma(field) && !is_thousands {
            n_comma += 1;
        } else if field.contains('.') && parse_number(field, Decimal::Point).is_some() {
            n_point += 1;
        }
    }
    if n_comma > n_point {
        Decimal::Comma
    } else {
        Decimal::Point
    }
}

/// `-3,14`, `1.234,5`, `2,5e3`: digits, one comma, digits.
fn looks_like_decimal_comma(field: &str) -> bool {
    let unsigned = field.trim_start_matches(['+', '-']);
    let Some((int, frac)) = unsigned.split_once(',') else {
        return false;
    };
    let frac_digits = frac.split(['e', 'E']).next().unwrap_or("");
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !frac_digits.is_empty()
        && frac_digits.bytes().all(|b| b.is_ascii_digit())
        && parse_number(field, Decimal::Comma).is_some()
}

/// A first row is a header when none of its cells is a number and at least one is a name.
/// (A first row like `NA,NA` is data with missing values, not names.)
pub(crate) fn looks_like_header(first: &[String], decimal: Decimal) -> bool {
    let any_number = first
        .iter()
        .any(|f| !is_missing(f) && parse_number(f, decimal).is_some());
    let any_name = first.iter().any(|f| !is_missing(f));
    !any_number && any_name
}
