//! A strict RFC 8259 JSON reader that borrows from the body.
//!
//! Why not serde_json: the normaliser needs numbers as their exact text (metadata keeps `1.50` as
//! `"1.50"`), PHP's duplicate-key semantics, PHP's refusal of keys starting with U+0000, and a nesting
//! limit of exactly 128. Borrowing unescaped strings also keeps the 1 MB case cheap.

use std::borrow::Cow;

/// Deepest nesting of arrays and objects that is accepted (129 is refused), as PHP's `json_decode`
/// with depth 129 does.
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Numbers keep their source text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in source order, duplicates included; see [`Json::get`] and [`Json::members`].
    Object(Members<'a>),
}

/// An object's members in source order, duplicates included.
pub type Members<'a> = Vec<(Cow<'a, str>, Json<'a>)>;

/// Why a body is not JSON, with the byte offset where that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub problem: &'static str,
}

impl<'a> Json<'a> {
    /// The value of `key` in an object: the last one when the key repeats (PHP keeps the last value).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `get`, with JSON null read as absent.
    pub fn get_present(&self, key: &str) -> Option<&Json<'a>> {
        self.get(key).filter(|v| !matches!(v, Json::Null))
    }

    /// Object members with PHP's duplicate-key semantics: each key once, at the position of its first
    /// occurrence, with the value of its last.
    pub fn members<'m>(members: &'m [(Cow<'a, str>, Json<'a>)]) -> Vec<(&'m str, &'m Json<'a>)> {
        let mut out: Vec<(&'m str, &'m Json<'a>)> = Vec::with_capacity(members.len());
        let mut seen: std::collections::HashMap<&'m str, usize> = std::collections::HashMap::new();
        for (key, value) in members {
            match seen.get(key.as_ref()) {
                Some(&at) => {
                    if let Some(slot) = out.get_mut(at) {
                        slot.1 = value;
                    }
                }
                None => {
                    seen.insert(key.as_ref(), out.len());
                    out.push((key.as_ref(), value));
                }
            }
        }
        out
    }

    /// The JSON type name, for error messages.
    pub fn type_name(&self) -> &'static str {
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

/// Parses a whole document. The text is already known to be UTF-8.
pub fn parse(text: &str) -> Result<Json<'_>, SyntaxError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0 };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, problem: &'static str) -> SyntaxError {
        SyntaxError { offset: self.pos, problem }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &'static str, value: Json<'a>) -> Result<Json<'a>, SyntaxError> {
        if self.bytes.get(self.pos..self.pos + literal.len()) == Some(literal.as_bytes()) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b't') => self.expect_literal("true", Json::Bool(true)),
            Some(b'f') => self.expect_literal("false", Json::Bool(false)),
            Some(b'n') => self.expect_literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), SyntaxError> {
        if depth > MAX_DEPTH {
            Err(self.error("nested deeper than 128"))
        } else {
            Ok(())
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
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
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
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

    fn number(&mut self) -> Result<Json<'a>, SyntaxError> {
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
        Ok(Json::Number(self.text.get(start..self.pos).unwrap_or_default()))
    }

    /// Reads a string token; borrows when it holds no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.pos += 1;
        let start = self.pos;
        // Fast scan: plain characters need no copy.
        loop {
            match self.peek() {
                Some(b'"') => {
                    let text = self.text.get(start..self.pos).unwrap_or_default();
                    self.pos += 1;
                    return Ok(Cow::Borrowed(text));
                }
                Some(b'\\') => break,
                Some(0x00..=0x1f) => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
                None => return Err(self.error("unterminated string")),
            }
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
                    // Copy the run of plain characters up to the next quote, backslash or control.
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    owned.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
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

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
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
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        "[".repeat(levels) + &"]".repeat(levels)
    }

    #[test]
    fn accepts_128_levels_and_refuses_129() {
        assert!(parse(&nested(128)).is_ok());
        assert_eq!(parse(&nested(129)).map_err(|e| e.problem), Err("nested deeper than 128"));
    }

    #[test]
    fn refuses_50000_levels_without_overflowing_the_stack() {
        assert!(parse(&"[".repeat(50_000)).is_err());
        assert!(parse(&"{\"a\":".repeat(50_000)).is_err());
    }

    #[test]
    fn keeps_number_text() {
        assert_eq!(parse("1.50"), Ok(Json::Number("1.50")));
        assert_eq!(parse(" -0 "), Ok(Json::Number("-0")));
        assert_eq!(parse("1e400"), Ok(Json::Number("1e400")));
    }

    #[test]
    fn refuses_what_rfc_8259_refuses() {
        for bad in ["", " ", "01", "1.", ".5", "+1", "[1,]", "{\"a\":1,}", "'a'", "\"\t\"", "NaN", "[1] x", "\u{feff}{}", "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "tru", "{\"\\u0000k\":1}"] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        assert_eq!(parse(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83c\udf34""#), Ok(Json::String("a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f334}".into())));
        assert_eq!(parse(r#""mid\u0000dle""#), Ok(Json::String("mid\0dle".into())));
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        let doc = parse(r#"{"a":1,"b":2,"a":3}"#).unwrap_or(Json::Null);
        assert_eq!(doc.get("a"), Some(&Json::Number("3")));
        let Json::Object(members) = &doc else { panic!("not an object") };
        let keys: Vec<_> = Json::members(members).into_iter().map(|(k, v)| (k, v.clone())).collect();
        assert_eq!(keys, vec![("a", Json::Number("3")), ("b", Json::Number("2"))]);
    }
}
