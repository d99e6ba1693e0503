//! A strict RFC 8259 JSON reader that borrows from the body.
//!
//! Why not `serde_json`: the normaliser needs numbers as their exact text (metadata keeps `1.50` as
//! `"1.50"`), PHP's duplicate-key semantics, PHP's refusal of keys starting with U+0000, and a nesting
//! limit of exactly 128. Borrowing unescaped strings also keeps the 1 MB case cheap.

use std::borrow::Cow;

/// Deepest nesting of arrays and objects that is accepted (129 is refused), as PHP's `json_decode`
/// with depth 129 does.
pub const MAX_DEPTH: usize = 128;

/// A parsed document: every value in one flat vector (a "tape") in source order. A container's node
/// records where it ends, so lookups jump over nested values. One allocation, no moves of values.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    nodes: Vec<Node<'a>>,
}

#[derive(Debug, Clone)]
enum Node<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(Cow<'a, str>),
    /// Index one past the container's last node.
    Array {
        end: usize,
    },
    /// Followed by key (`String`) and value nodes, alternating, up to `end`.
    Object {
        end: usize,
    },
}

impl Document<'_> {
    /// The root value.
    pub fn root(&self) -> Json<'_> {
        view(&self.nodes, 0)
    }
}

/// A value of a [`Document`]. Numbers keep their source text.
#[derive(Debug, Clone, Copy)]
pub enum Json<'d> {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as its text in the document.
    Number(&'d str),
    /// A string, unescaped.
    String(&'d str),
    /// An array: its items through [`Container::items`].
    Array(Container<'d>),
    /// An object: its members through [`Container::get`], [`Container::entries`], [`Container::members`].
    Object(Container<'d>),
}

/// An array or object inside a document.
#[derive(Debug, Clone, Copy)]
pub struct Container<'d> {
    nodes: &'d [Node<'d>],
    start: usize,
    end: usize,
}

fn view<'d>(nodes: &'d [Node<'_>], at: usize) -> Json<'d> {
    // Shorten the node lifetime to the borrow of the document: the views only read.
    let nodes: &'d [Node<'d>] = shorten(nodes);
    match nodes.get(at) {
        None | Some(Node::Null) => Json::Null,
        Some(Node::Bool(b)) => Json::Bool(*b),
        Some(Node::Number(text)) => Json::Number(text),
        Some(Node::String(text)) => Json::String(text.as_ref()),
        Some(Node::Array { end }) => Json::Array(Container { nodes, start: at, end: *end }),
        Some(Node::Object { end }) => Json::Object(Container { nodes, start: at, end: *end }),
    }
}

fn shorten<'d, 'a: 'd>(nodes: &'d [Node<'a>]) -> &'d [Node<'d>] {
    nodes
}

impl<'d> Container<'d> {
    /// Index of the node after the value at `at`.
    fn after(&self, at: usize) -> usize {
        match self.nodes.get(at) {
            Some(Node::Array { end } | Node::Object { end }) => *end,
            _ => at + 1,
        }
    }

    /// Array items, in order.
    pub fn items(self) -> impl Iterator<Item = Json<'d>> {
        let mut at = self.start + 1;
        std::iter::from_fn(move || {
            (at < self.end).then(|| {
                let item = view(self.nodes, at);
                at = self.after(at);
                item
            })
        })
    }

    /// Object members in source order, duplicates included.
    pub fn entries(self) -> impl Iterator<Item = (&'d str, Json<'d>)> {
        let mut at = self.start + 1;
        std::iter::from_fn(move || {
            (at < self.end).then(|| {
                let key = match self.nodes.get(at) {
                    Some(Node::String(k)) => k.as_ref(),
                    _ => "",
                };
                let value = view(self.nodes, at + 1);
                at = self.after(at + 1);
                (key, value)
            })
        })
    }

    /// Object members with PHP's duplicate-key semantics: each key once, at the position of its first
    /// occurrence, with the value of its last.
    pub fn members(self) -> Vec<(&'d str, Json<'d>)> {
        let mut out: Vec<(&'d str, Json<'d>)> = Vec::new();
        // Small objects (nearly all) dedupe by scanning; large ones through a map, so a hostile
        // body with many keys stays linear.
        let mut index: Option<std::collections::HashMap<&'d str, usize>> = None;
        for (key, value) in self.entries() {
            if out.len() == 16 {
                index = Some(out.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect());
            }
            let existing = match &index {
                Some(map) => map.get(key).copied(),
                None => out.iter().position(|(k, _)| *k == key),
            };
            if let Some(slot) = existing.and_then(|i| out.get_mut(i)) {
                slot.1 = value;
            } else {
                if let Some(map) = &mut index {
                    map.insert(key, out.len());
                }
                out.push((key, value));
            }
        }
        out
    }

    /// The value of `key` in an object: the last one when the key repeats (PHP keeps the last value).
    pub fn get(self, key: &str) -> Option<Json<'d>> {
        let mut found = None;
        let mut at = self.start + 1;
        while at < self.end {
            if let Some(Node::String(k)) = self.nodes.get(at) {
                if k.len() == key.len() && k.as_ref() == key {
                    found = Some(at + 1);
                }
            }
            at = self.after(at + 1);
        }
        found.map(|value| view(self.nodes, value))
    }
}

impl<'d> Json<'d> {
    /// `get` on an object; None for anything else.
    pub fn get(self, key: &str) -> Option<Json<'d>> {
        match self {
            Json::Object(o) => o.get(key),
            _ => None,
        }
    }

    /// `get`, with JSON null read as absent.
    pub fn get_present(self, key: &str) -> Option<Json<'d>> {
        self.get(key).filter(|v| !matches!(v, Json::Null))
    }

    /// The JSON type name, for error messages.
    pub fn type_name(self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Why a body is not JSON, with the byte offset where that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the text.
    pub offset: usize,
    /// What is wrong there.
    pub problem: &'static str,
}

/// Which parts of a document a reader will look at. The whole text is always validated; values that
/// are not wanted are not kept, which saves most of the work on a webhook body where the normaliser
/// reads about a third of the fields.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// Keep this value and everything in it.
    All,
    /// Validate only.
    Skip,
    /// An object of which only the members this function names are kept, with what is wanted of
    /// each (`Skip` for the rest); for an array, each item is read this way.
    Fields(fn(&str) -> Want),
}

impl Want {
    fn member(self, key: &str) -> Want {
        match self {
            Want::All => Want::All,
            Want::Skip => Want::Skip,
            Want::Fields(wanted) => wanted(key),
        }
    }
}

/// Parses a whole document, keeping everything. The text is already known to be UTF-8.
///
/// # Errors
/// Where and why the text is not strict RFC 8259 JSON (or nests deeper than [`MAX_DEPTH`]).
pub fn parse(text: &str) -> Result<Document<'_>, SyntaxError> {
    parse_wanted(text, Want::All)
}

/// Parses a whole document, keeping only what `want` names (all of the text is validated).
///
/// # Errors
/// As [`parse`].
pub fn parse_wanted(text: &str, want: Want) -> Result<Document<'_>, SyntaxError> {
    let mut parser =
        Parser { text, bytes: text.as_bytes(), pos: 0, failure: None, nodes: Vec::with_capacity(text.len() / 32 + 4) };
    let parsed = parser.document(want);
    match (parsed, parser.failure) {
        (Ok(()), None) => Ok(Document { nodes: parser.nodes }),
        (_, failure) => Err(failure.unwrap_or(SyntaxError { offset: parser.pos, problem: "invalid JSON" })),
    }
}

/// A parse failure; what and where is kept in `Parser::failure`.
struct Fail;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    failure: Option<SyntaxError>,
    nodes: Vec<Node<'a>>,
}

impl<'a> Parser<'a> {
    fn error(&mut self, problem: &'static str) -> Fail {
        self.failure = Some(SyntaxError { offset: self.pos, problem });
        Fail
    }

    fn document(&mut self, want: Want) -> Result<(), Fail> {
        self.skip_whitespace();
        self.value(0, want)?;
        self.skip_whitespace();
        if self.pos != self.bytes.len() {
            return Err(self.error("unexpected text after the JSON value"));
        }
        Ok(())
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn push(&mut self, want: Want, node: Node<'a>) {
        if !matches!(want, Want::Skip) {
            self.nodes.push(node);
        }
    }

    fn literal(&mut self, literal: &'static str, want: Want, node: Node<'a>) -> Result<(), Fail> {
        if self.bytes.get(self.pos..self.pos + literal.len()) == Some(literal.as_bytes()) {
            self.pos += literal.len();
            self.push(want, node);
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize, want: Want) -> Result<(), Fail> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1, want),
            Some(b'[') => self.array(depth + 1, want),
            Some(b'"') => {
                let text = self.string()?;
                self.push(want, Node::String(text));
                Ok(())
            }
            Some(b't') => self.literal("true", want, Node::Bool(true)),
            Some(b'f') => self.literal("false", want, Node::Bool(false)),
            Some(b'n') => self.literal("null", want, Node::Null),
            Some(b'-' | b'0'..=b'9') => self.number(want),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    /// Pushes a container's node (unless skipped); `close` sets where it ends.
    fn open(&mut self, depth: usize, want: Want, node: Node<'a>) -> Result<usize, Fail> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested deeper than 128"));
        }
        self.pos += 1;
        self.push(want, node);
        self.skip_whitespace();
        Ok(self.nodes.len().wrapping_sub(1))
    }

    fn close(&mut self, at: usize, want: Want) {
        let end = self.nodes.len();
        if !matches!(want, Want::Skip) {
            if let Some(Node::Array { end: e } | Node::Object { end: e }) = self.nodes.get_mut(at) {
                *e = end;
            }
        }
        self.pos += 1;
    }

    fn array(&mut self, depth: usize, want: Want) -> Result<(), Fail> {
        let at = self.open(depth, want, Node::Array { end: 0 })?;
        if self.peek() == Some(b']') {
            self.close(at, want);
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            self.value(depth, want)?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.close(at, want);
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize, want: Want) -> Result<(), Fail> {
        let at = self.open(depth, want, Node::Object { end: 0 })?;
        if self.peek() == Some(b'}') {
            self.close(at, want);
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            if key.starts_with('\0') {
                return Err(self.error("object key starts with U+0000"));
            }
            let member_want = want.member(&key);
            // A member nobody reads is validated but not kept, key included.
            self.push(member_want, Node::String(key));
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            self.skip_whitespace();
            self.value(depth, member_want)?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.close(at, want);
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self, want: Want) -> Result<(), Fail> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or_default();
        self.push(want, Node::Number(text));
        Ok(())
    }

    /// Moves past plain string characters (anything but `"`, `\\` and controls), eight bytes at a
    /// time: string contents are most of a body's bytes.
    fn skip_plain(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let any_below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGH;
        let any_zero = |v: u64| any_below(v, 1);
        while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else { break };
            let v = u64::from_le_bytes(word);
            let special =
                any_zero(v ^ (ONES * u64::from(b'"'))) | any_zero(v ^ (ONES * u64::from(b'\\'))) | any_below(v, 0x20);
            if special != 0 {
                // The lowest flagged byte is exact (the borrow only spills into higher bytes).
                self.pos += (special.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
        while let Some(b) = self.peek() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            self.pos += 1;
        }
    }

    /// Reads a string token; borrows when it holds no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, Fail> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain();
        match self.peek() {
            Some(b'"') => {
                let text = self.text.get(start..self.pos).unwrap_or_default();
                self.pos += 1;
                return Ok(Cow::Borrowed(text));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character in a string")),
            None => return Err(self.error("unterminated string")),
        }
        let mut owned = String::from(self.text.get(start..self.pos).unwrap_or_default());
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut owned)?;
                }
                Some(0x00..=0x1f) => return Err(self.error("control character in a string")),
                Some(_) => {
                    let run_start = self.pos;
                    self.skip_plain();
                    owned.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Fail> {
        let simple = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4()?;
                let ch = match unit {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return Err(self.error("lone UTF-16 surrogate"));
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.error("lone UTF-16 surrogate"));
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(self.error("lone UTF-16 surrogate")),
                    other => other,
                };
                out.push(char::from_u32(ch).ok_or_else(|| self.error("invalid \\u escape"))?);
                return Ok(());
            }
            _ => return Err(self.error("invalid escape")),
        };
        self.pos += 1;
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("invalid \\u escape")),
            };
            value = value * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(value)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        "[".repeat(levels) + &"]".repeat(levels)
    }

    fn scalar(text: &str) -> String {
        match parse(text).map(|d| format!("{:?}", d.root())) {
            Ok(s) => s,
            Err(e) => format!("error: {}", e.problem),
        }
    }

    #[test]
    fn accepts_128_levels_and_refuses_129() {
        assert!(parse(&nested(128)).is_ok());
        assert_eq!(parse(&nested(129)).map(|_| ()).map_err(|e| e.problem), Err("nested deeper than 128"));
    }

    #[test]
    fn refuses_50000_levels_without_overflowing_the_stack() {
        assert!(parse(&"[".repeat(50_000)).is_err());
        assert!(parse(&"{\"a\":".repeat(50_000)).is_err());
    }

    #[test]
    fn keeps_number_text() {
        assert_eq!(scalar("1.50"), r#"Number("1.50")"#);
        assert_eq!(scalar(" -0 "), r#"Number("-0")"#);
        assert_eq!(scalar("1e400"), r#"Number("1e400")"#);
    }

    #[test]
    fn refuses_what_rfc_8259_refuses() {
        for bad in [
            "",
            " ",
            "01",
            "1.",
            ".5",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "'a'",
            "\"\t\"",
            "NaN",
            "[1] x",
            "\u{feff}{}",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"\\x\"",
            "tru",
            "{\"\\u0000k\":1}",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        let doc = parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83c\udf34""#).map_err(|e| e.problem);
        assert!(matches!(doc.as_ref().map(Document::root), Ok(Json::String("a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f334}"))));
        let doc = parse(r#""mid\u0000dle""#).map_err(|e| e.problem);
        assert!(matches!(doc.as_ref().map(Document::root), Ok(Json::String("mid\0dle"))));
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        let doc = parse(r#"{"a":1,"b":[2,{"a":9}],"a":3}"#).map_err(|e| e.problem);
        let Ok(doc) = doc else { panic!("parse failed") };
        assert!(matches!(doc.root().get("a"), Some(Json::Number("3"))));
        let Json::Object(o) = doc.root() else { panic!("not an object") };
        let keys: Vec<String> = o.members().into_iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0], r#"a=Number("3")"#);
        assert!(keys[1].starts_with("b=Array"));
    }

    #[test]
    fn arrays_iterate_over_nested_values() {
        let Ok(doc) = parse(r#"[[1,[2]],{"k":[3]},"s",null]"#) else { panic!("parse failed") };
        let Json::Array(a) = doc.root() else { panic!("not an array") };
        let kinds: Vec<&str> = a.items().map(Json::type_name).collect();
        assert_eq!(kinds, ["an array", "an object", "a string", "null"]);
    }
}
