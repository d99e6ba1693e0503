//! A Cal.com webhook body → the normalised event of contract section 2 (rules: docs/normalisation.md).
//!
//! The event is one table, [`FIELDS`]: every key in the contract's order with where its value is read.
//! The table drives the reading, what the parser keeps of a body, the one-pass pick of payload members
//! and the output order, so a field read like an existing one is one line of it.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use super::error::{PayloadError, PayloadErrorKind};
use super::json::{self, Json, Want};
use super::time::parse_rfc3339;

use Source::{FlatRoot, Own, OwnIn, Payload, Response, Root};

/// Text of the event: borrowed from the body where it can be, owned where it is computed.
pub type Text<'d> = Cow<'d, str>;

/// A table of fields: the const array of (key, kind), and a function that reads them all. The reader
/// takes each kind as a constant, so that each field's reading compiles to straight-line code (a loop
/// over the array would interpret it at run time, about a tenth slower).
macro_rules! table {
    ($(#[$doc:meta])* $vis:vis const $name:ident; fn $read:ident -> $out:ty, by $method:ident; $($key:literal => $kind:expr,)*) => {
        $(#[$doc])*
        $vis const $name: [Field; [$($key),*].len()] = [$(Field { key: $key, kind: $kind }),*];

        fn $read<'d>(reader: &mut Reader<'d, '_>, own: Option<Json<'d>>, path: &Path) -> Result<[$out; $name.len()], PayloadError> {
            Ok([$(reader.$method(const { $kind }, own, path)?),*])
        }
    };
}

table! {
    /// The normalised event's fields, in the contract's key order. `P` is `payload`, or the root itself
    /// for a flat MEETING_* body.
    pub const FIELDS;
    fn read_event -> Value<'d>, by read;
    "trigger" => Kind::Trigger,
    "created_at" => Kind::CreatedAt,
    "created_at_ms" => Kind::CreatedAtMs,
    "booking_uid" => text(&[Payload("uid"), Payload("bookingUid"), Root("uid")]),
    "rescheduled_from_uid" => text(&[Payload("rescheduleUid")]),
    "booking_id" => int(&[Payload("bookingId"), FlatRoot("id")]),
    "status" => text(&[Payload("status")]),
    "title" => text(&[Payload("title")]),
    "event_type" => text(&[Payload("type")]),
    "event_type_id" => int(&[Payload("eventTypeId")]),
    "start" => Kind::Time(Payload("startTime")),
    "end" => Kind::Time(Payload("endTime")),
    "attendee" => Kind::Record(&BOOKER),
    "guests" => Kind::Guests(&BOOKER),
    "organizer" => Kind::Record(&ORGANIZER),
    "location" => text(&[Payload("location")]),
    "cancellation_reason" => text(&[Payload("cancellationReason")]),
    "rejection_reason" => text(&[Payload("rejectionReason")]),
    "reschedule_reason" => text(&[Payload("reschedulingReason"), Response("rescheduleReason")]),
    "metadata" => Kind::Metadata,
    "lead_id" => Kind::LeadId,
    "responses" => Kind::Responses,
    "event_key" => Kind::EventKey,
    "body_sha256" => Kind::BodySha256,
}

table! {
    /// `attendee`: the first item of `P.attendees` (the booker).
    const BOOKER_FIELDS;
    fn read_booker -> Option<Text<'d>>, by text;
    "name" => text(&[Own("name")]),
    "email" => text(&[Own("email")]),
    "phone" => text(&[Own("phoneNumber"), Response("attendeePhoneNumber"), Payload("smsReminderNumber")]),
    "time_zone" => text(&[Own("timeZone")]),
    "locale" => text(&[OwnIn("language", "locale"), Own("locale")]),
}

table! {
    /// `organizer`: `P.organizer`.
    const ORGANIZER_FIELDS;
    fn read_organizer -> Option<Text<'d>>, by text;
    "name" => text(&[Own("name")]),
    "email" => text(&[Own("email")]),
    "time_zone" => text(&[Own("timeZone")]),
}

const BOOKER: Record = Record {
    key: "attendees",
    first_item: true,
    fields: &BOOKER_FIELDS,
    read: |reader, own, path| read_booker(reader, own, path).map(Vec::from),
    members: |key| BOOKER_MEMBERS.want(key),
};

const ORGANIZER: Record = Record {
    key: "organizer",
    first_item: false,
    fields: &ORGANIZER_FIELDS,
    read: |reader, own, path| read_organizer(reader, own, path).map(Vec::from),
    members: |key| ORGANIZER_MEMBERS.want(key),
};

const fn text(chain: &'static [Source]) -> Kind {
    Kind::Text(chain)
}

const fn int(chain: &'static [Source]) -> Kind {
    Kind::Int(chain)
}

/// `P.responses` and `P.metadata`, read by `Kind::Responses`, `Kind::Metadata` and `Response` sources.
const RESPONSES: &str = "responses";
const METADATA: &str = "metadata";

/// One field of the event: its key and how its value is read.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The array key in the event.
    pub key: &'static str,
    kind: Kind,
}

/// How a field's value is read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// ?string. One source: its string as it is. A chain: the first non-empty string (an empty string
    /// counts as absent). Every source present is type-checked, also after the value is found.
    Text(&'static [Source]),
    /// ?int: the first integer of the chain.
    Int(&'static [Source]),
    /// ?int: an RFC 3339 time as Unix seconds.
    Time(Source),
    /// ?array: a nested object, its keys from its own table; null when the object is absent.
    Record(&'static Record),
    /// list<string>: the e-mails of the record's array items after the first.
    Guests(&'static Record),
    // Computed by `event`:
    Trigger,
    CreatedAt,
    CreatedAtMs,
    Metadata,
    LeadId,
    Responses,
    EventKey,
    BodySha256,
}

/// Where a value is read from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// `P.<key>`
    Payload(&'static str),
    /// root `<key>`
    Root(&'static str),
    /// root `<key>`, only when the body is flat (`P` is the root)
    FlatRoot(&'static str),
    /// `<key>` of a record's own object
    Own(&'static str),
    /// `<object>.<key>` in a record's own object; `<object>` must be an object
    OwnIn(&'static str, &'static str),
    /// the normalised answer `<name>` in `responses`, when it is a non-empty string
    Response(&'static str),
}

/// A nested object of the event: `P.<key>` (an object), or the first item of the array `P.<key>`.
pub struct Record {
    key: &'static str,
    first_item: bool,
    fields: &'static [Field],
    /// Reads the fields from the object (absent: None) at the path.
    read: ReadRecord,
    /// What the parser keeps of the object (`Want::Fields` takes a function): `want` of its
    /// [`Members::of_record`].
    members: fn(&str) -> Want,
}

/// Reads a record's fields from its object (absent: None) at a path.
type ReadRecord =
    for<'d, 'r> fn(&mut Reader<'d, 'r>, Option<Json<'d>>, &Path) -> Result<Vec<Option<Text<'d>>>, PayloadError>;

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record").field("key", &self.key).field("fields", &self.fields).finish_non_exhaustive()
    }
}

impl Field {
    /// The fields of a nested object (`attendee`, `organizer`), in order; empty for any other field.
    pub fn nested(&self) -> &'static [Field] {
        match self.kind {
            Kind::Record(record) => record.fields,
            _ => &[],
        }
    }
}

/// A value of the event, in the shapes PHP gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'d> {
    /// `null`: nothing in the body.
    Null,
    /// An integer.
    Int(i64),
    /// A string.
    Text(Text<'d>),
    /// A list of strings.
    List(Vec<Text<'d>>),
    /// A nested object: the values of its fields ([`Field::nested`]), in order.
    Record(Vec<Option<Text<'d>>>),
    /// `metadata`, `responses`: entries in body order.
    Map(Vec<(Key<'d>, Answer<'d>)>),
}

/// A value in `metadata` or `responses` (a booking-form answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'d> {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A string (numbers are their text).
    Text(Text<'d>),
    /// A list of strings.
    List(Vec<Text<'d>>),
}

/// A PHP array key: canonical decimal integers become integer keys, as PHP does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key<'d> {
    /// A canonical decimal integer.
    Int(i64),
    /// Any other key.
    Str(Text<'d>),
}

/// The normalised event: one value per entry of [`FIELDS`], in that order. It borrows from the parsed
/// body, so it is read inside [`normalize`]'s closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'d> {
    values: [Value<'d>; FIELDS.len()],
}

impl<'d> Event<'d> {
    /// The value of a key of [`FIELDS`].
    pub fn get(&self, key: &str) -> Option<&Value<'d>> {
        FIELDS.iter().position(|field| field.key == key).and_then(|i| self.values.get(i))
    }

    /// Every field with its value, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static Field, &Value<'d>)> {
        FIELDS.iter().zip(&self.values)
    }

    /// The values, in the order of [`FIELDS`].
    pub fn into_values(self) -> [Value<'d>; FIELDS.len()] {
        self.values
    }
}

/// Normalises a raw body and hands the event to `read`.
///
/// # Errors
/// A body the event can't be read from, with the contract's code and a message naming the field.
pub fn normalize<R>(body: &[u8], read: impl FnOnce(Event<'_>) -> R) -> Result<R, PayloadError> {
    let text =
        std::str::from_utf8(body).map_err(|e| unparsed(body, &format!("not UTF-8 at byte {}", e.valid_up_to())))?;
    let document =
        json::parse_wanted(text, WANTED).map_err(|e| unparsed(body, &format!("{} at byte {}", e.problem, e.offset)))?;
    Ok(read(event(document.root(), body)?))
}

fn event<'d>(root: Json<'d>, body: &[u8]) -> Result<Event<'d>, PayloadError> {
    let Json::Object(_) = root else {
        return Err(match root {
            Json::Bool(false) => PayloadError::new(
                PayloadErrorKind::CustomTemplate,
                "the body is `false`: Cal.com sends this when a custom payload template does not render to JSON; clear the Custom Payload field of this webhook in Cal.com",
            ),
            other => PayloadError::field("body", &format!("expected a JSON object, got {}", other.type_name())),
        });
    };
    let Some(trigger) = root.get("triggerEvent") else {
        return Err(PayloadError::new(
            PayloadErrorKind::CustomTemplate,
            "body has no triggerEvent: it was rendered from a custom payload template; clear the Custom Payload field of this webhook in Cal.com",
        ));
    };
    let trigger = match trigger {
        Json::String(s) if !s.is_empty() => s,
        other => {
            return Err(PayloadError::field(
                "triggerEvent",
                &format!("expected a non-empty string, got {}", describe(other)),
            ))
        }
    };
    let created_at = string(root, &"", "createdAt")?.ok_or_else(|| PayloadError::field("createdAt", "missing"))?;
    let created_at_ms = parse_rfc3339(created_at)
        .ok_or_else(|| PayloadError::field("createdAt", "not an RFC 3339 time"))?
        .unix_millis();

    let (p, prefix, flat) = match root.get("payload") {
        None | Some(Json::Null) => (root, "", true),
        Some(payload @ Json::Object(_)) => (payload, "payload.", false),
        Some(other) => {
            return Err(PayloadError::field("payload", &format!("expected an object, got {}", other.type_name())))
        }
    };
    let p = Picked::from(p);

    let responses: Vec<(Key, Answer)> = match object(&p, &prefix, RESPONSES)? {
        Some(members) => members.members().into_iter().map(|(k, v)| (php_key(k), answer(v))).collect(),
        None => Vec::new(),
    };
    let metadata: Vec<(Key, Answer)> = match object(&p, &prefix, METADATA)? {
        Some(members) => members
            .members()
            .into_iter()
            .filter_map(|(k, v)| metadata_value(v).map(|v| (php_key(k), Answer::Text(v))))
            .collect(),
        None => Vec::new(),
    };
    let lead_id = metadata.iter().find_map(|(k, v)| match (k, v) {
        (Key::Str(k), Answer::Text(v)) if k == "lead_id" && is_lead_id(v) => v.parse().ok(),
        _ => None,
    });
    let body_sha256 = lower_hex(&Sha256::digest(body));

    let mut reader = Reader {
        root,
        p: &p,
        prefix,
        flat,
        trigger,
        created_at,
        created_at_ms,
        responses: &responses,
        metadata,
        lead_id,
    };
    let mut values = read_event(&mut reader, None, &Path::Root)?;
    let event_key = match values.get(BOOKING_UID) {
        Some(Value::Text(uid)) => lower_hex(&Sha256::digest(format!("{trigger}\n{uid}\n{created_at}"))),
        _ => body_sha256.clone(),
    };
    let computed = [
        (RESPONSES_AT, Value::Map(responses)),
        (EVENT_KEY, Value::Text(Cow::Owned(event_key))),
        (BODY_SHA256, Value::Text(Cow::Owned(body_sha256))),
    ];
    for (at, value) in computed {
        if let Some(slot) = values.get_mut(at) {
            *slot = value;
        }
    }
    Ok(Event { values })
}

/// Positions in [`FIELDS`] of the values `event` sets once the others are read.
const RESPONSES_AT: usize = position(&FIELDS, "responses");
const EVENT_KEY: usize = position(&FIELDS, "event_key");
const BODY_SHA256: usize = position(&FIELDS, "body_sha256");

/// Position of `booking_uid` in [`FIELDS`]: the event key hashes it.
const BOOKING_UID: usize = position(&FIELDS, "booking_uid");

/// Position of `key` in `fields`; evaluated at compile time, so a missing key fails the build.
#[allow(clippy::indexing_slicing, clippy::panic)] // compile time only: a failure is a build error
const fn position(fields: &[Field], key: &str) -> usize {
    let mut i = 0;
    while i < fields.len() {
        if same(fields[i].key, key) {
            return i;
        }
        i += 1;
    }
    panic!("no such field")
}

#[allow(clippy::indexing_slicing)] // `i` stays below both lengths
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Reads the tables' fields from one body.
struct Reader<'d, 'r> {
    root: Json<'d>,
    p: &'r Picked<'d>,
    prefix: &'static str,
    flat: bool,
    trigger: &'d str,
    created_at: &'d str,
    created_at_ms: i64,
    responses: &'r [(Key<'d>, Answer<'d>)],
    metadata: Vec<(Key<'d>, Answer<'d>)>,
    lead_id: Option<i64>,
}

impl<'d> Reader<'d, '_> {
    /// One field's value; `own` is the object of the record being read, at `path`. Inlined into the
    /// tables' readers, where `kind` is a constant.
    #[allow(clippy::inline_always)] // measured: the tables' readers are a tenth slower without it
    #[inline(always)]
    fn read(&mut self, kind: Kind, own: Option<Json<'d>>, path: &Path) -> Result<Value<'d>, PayloadError> {
        match kind {
            Kind::Text(_) | Kind::Int(_) | Kind::Time(_) => self.value(kind, own, path),
            Kind::Record(record) => self.record(record),
            Kind::Guests(record) => self.guests(record),
            Kind::Trigger => Ok(Value::Text(Cow::Borrowed(self.trigger))),
            Kind::CreatedAt => Ok(Value::Text(Cow::Borrowed(self.created_at))),
            Kind::CreatedAtMs => Ok(Value::Int(self.created_at_ms)),
            Kind::Metadata => Ok(Value::Map(std::mem::take(&mut self.metadata))),
            Kind::LeadId => Ok(self.lead_id.map_or(Value::Null, Value::Int)),
            // Set by `event` once every answer is read, and from the booking uid.
            Kind::Responses | Kind::EventKey | Kind::BodySha256 => Ok(Value::Null),
        }
    }

    /// A `Text` value: a record's fields are all text (`Members::of_record` checks it).
    #[allow(clippy::inline_always)] // measured: the tables' readers are a tenth slower without it
    #[inline(always)]
    fn text(&mut self, kind: Kind, own: Option<Json<'d>>, path: &Path) -> Result<Option<Text<'d>>, PayloadError> {
        Ok(match self.value(kind, own, path)? {
            Value::Text(text) => Some(text),
            _ => None,
        })
    }

    /// A `Text`, `Int` or `Time` value.
    #[allow(clippy::inline_always)] // measured: the tables' readers are a tenth slower without it
    #[inline(always)]
    fn value(&self, kind: Kind, own: Option<Json<'d>>, path: &Path) -> Result<Value<'d>, PayloadError> {
        match kind {
            Kind::Text(chain) => {
                let mut found = None;
                for source in chain {
                    let text = match *source {
                        Response(name) => answer_text(self.responses, name),
                        _ => self
                            .json(*source, own, path, |value, at, key| string_value(value, at, key))?
                            .map(Cow::Borrowed),
                    };
                    // One source keeps an empty string; in a chain it counts as absent.
                    if found.is_none() && text.as_ref().is_some_and(|t| chain.len() == 1 || !t.is_empty()) {
                        found = text;
                    }
                }
                Ok(found.map_or(Value::Null, Value::Text))
            }
            Kind::Int(chain) => {
                let mut found = None;
                for source in chain {
                    let number = self.json(*source, own, path, int_value)?;
                    found = found.or(number);
                }
                Ok(found.map_or(Value::Null, Value::Int))
            }
            Kind::Time(source) => Ok(self.json(source, own, path, time_value)?.map_or(Value::Null, Value::Int)),
            _ => Ok(Value::Null),
        }
    }

    /// The typed value of a source that reads JSON (`Response` reads none).
    #[allow(clippy::inline_always)] // measured: the tables' readers are a tenth slower without it
    #[inline(always)]
    fn json<T>(
        &self,
        source: Source,
        own: Option<Json<'d>>,
        path: &Path,
        typed: impl Fn(Option<Json<'d>>, &dyn fmt::Display, &str) -> Result<Option<T>, PayloadError>,
    ) -> Result<Option<T>, PayloadError> {
        match source {
            Payload(key) => typed(self.p.field(key), &self.prefix, key),
            Root(key) => typed(self.root.field(key), &"", key),
            FlatRoot(key) if self.flat => typed(self.p.field(key), &"", key),
            Own(key) => typed(own.and_then(|o| o.field(key)), path, key),
            OwnIn(outer, key) => match own.and_then(|o| o.field(outer)) {
                None => Ok(None),
                Some(inner @ Json::Object(_)) => typed(inner.field(key), &Nested(path, outer), key),
                Some(other) => Err(wrong_type(path, outer, "an object", other)),
            },
            FlatRoot(_) | Response(_) => Ok(None),
        }
    }

    /// The record's object and its fields; the fields are read (and type-checked) also without it.
    fn record(&mut self, record: &'static Record) -> Result<Value<'d>, PayloadError> {
        let path = Path::Own(self.prefix, record, record.first_item.then_some(0));
        let own = match (self.p.field(record.key), record.first_item) {
            (None, _) => None,
            (Some(Json::Array(items)), true) => match items.items().next() {
                None | Some(Json::Null) => None,
                Some(item @ Json::Object(_)) => Some(item),
                Some(other) => return Err(not_an_object(&path, other)),
            },
            (Some(object @ Json::Object(_)), false) => Some(object),
            (Some(other), first_item) => {
                return Err(wrong_type(
                    &self.prefix,
                    record.key,
                    if first_item { "an array" } else { "an object" },
                    other,
                ))
            }
        };
        let values = (record.read)(self, own, &path)?;
        Ok(if own.is_some() { Value::Record(values) } else { Value::Null })
    }

    /// The `email` of each item after the first, skipping null and empty ones, the booker's and repeats
    /// (ignoring ASCII case); each item is an object or null.
    fn guests(&self, record: &'static Record) -> Result<Value<'d>, PayloadError> {
        let items = match self.p.field(record.key) {
            None => return Ok(Value::List(Vec::new())),
            Some(Json::Array(items)) => items,
            Some(other) => return Err(wrong_type(&self.prefix, record.key, "an array", other)),
        };
        let mut guests: Vec<Text<'d>> = Vec::new();
        let mut seen: std::collections::HashSet<Folded> = std::collections::HashSet::new();
        for (i, item) in items.items().enumerate() {
            let path = Path::Own(self.prefix, record, Some(i));
            if matches!(item, Json::Null) {
                continue;
            }
            if !matches!(item, Json::Object(_)) {
                return Err(not_an_object(&path, item));
            }
            let Some(email) = string_value(item.field("email"), &path, "email")?.filter(|e| !e.is_empty()) else {
                continue;
            };
            if seen.insert(Folded(email)) && i > 0 {
                guests.push(Cow::Borrowed(email));
            }
        }
        Ok(Value::List(guests))
    }
}

/// The path of an object, ending in `.`, for messages (formatted only on error): the root, or a
/// record's object (`payload.organizer.`, `payload.attendees[3].`).
enum Path {
    Root,
    Own(&'static str, &'static Record, Option<usize>),
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Own(prefix, record, None) => write!(f, "{prefix}{}.", record.key),
            Path::Own(prefix, record, Some(i)) => write!(f, "{prefix}{}[{i}].", record.key),
        }
    }
}

/// A path followed by a nested object's name.
struct Nested<'p>(&'p dyn fmt::Display, &'static str);

impl fmt::Display for Nested<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}.", self.0, self.1)
    }
}

/// An item that is not an object: `path` without its final dot names it.
fn not_an_object(path: &Path, got: Json) -> PayloadError {
    let path = path.to_string();
    PayloadError::field(
        path.strip_suffix('.').unwrap_or(&path),
        &format!("expected an object, got {}", got.type_name()),
    )
}

/// A normalised answer when it is a non-empty string.
fn answer_text<'d>(responses: &[(Key<'d>, Answer<'d>)], name: &str) -> Option<Text<'d>> {
    responses.iter().find_map(|(k, a)| match (k, a) {
        (Key::Str(k), Answer::Text(t)) if k == name && !t.is_empty() => Some(t.clone()),
        _ => None,
    })
}

/// Lowercase hex of a digest (`hex::encode` goes through a char iterator; this is a table lookup).
#[allow(clippy::indexing_slicing)] // both indexes are below 16
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A body that did not parse: a form-urlencoded custom template, or not JSON at all.
fn unparsed(body: &[u8], problem: &str) -> PayloadError {
    let first = body.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    if !matches!(first, Some(b'{' | b'[')) && body.contains(&b'=') {
        PayloadError::new(
            PayloadErrorKind::CustomTemplate,
            "body is form-urlencoded text, not JSON: it was rendered from a custom payload template; clear the Custom Payload field of this webhook in Cal.com",
        )
    } else if body.is_empty() {
        PayloadError::new(PayloadErrorKind::NotJson, "body is empty: Cal.com sends a JSON object")
    } else {
        PayloadError::new(
            PayloadErrorKind::NotJson,
            format!("body is not valid JSON ({problem}): Cal.com sends a JSON object"),
        )
    }
}

fn describe(value: Json) -> &'static str {
    match value {
        Json::String(_) => "an empty string",
        other => other.type_name(),
    }
}

fn wrong_type(prefix: &dyn fmt::Display, key: &str, expected: &str, got: Json) -> PayloadError {
    PayloadError::field(&format!("{prefix}{key}"), &format!("expected {expected}, got {}", got.type_name()))
}

// ---- What the parser keeps, and the one-pass pick of payload members: both from the table ----------

/// What the normaliser reads of a body; the parser keeps only this (and validates everything).
const WANTED: Want = Want::Fields(root_member);

/// The root: the envelope, the root fields, and the payload fields again for flat MEETING_* bodies.
fn root_member(key: &str) -> Want {
    match key {
        "triggerEvent" | "createdAt" => Want::All,
        "payload" => Want::Fields(payload_member),
        // Root fields are among the payload's members (flat bodies).
        _ => payload_member(key),
    }
}

fn payload_member(key: &str) -> Want {
    PICKED.want(key)
}

/// The payload members the table reads, each once, with what the parser keeps of each.
const PICKED: Members = Members::of_payload(&FIELDS);
const BOOKER_MEMBERS: Members = Members::of_record(&BOOKER);
const ORGANIZER_MEMBERS: Members = Members::of_record(&ORGANIZER);
/// Slots of [`Picked`]: one per payload member read.
const PICKS: usize = PICKED.len;

/// Member keys with what the parser keeps of each, made at compile time from the tables, and looked
/// up through a hash of the key's length and first and last bytes: a parser asks for every member of
/// a body, most of which no table reads.
struct Members {
    keys: [&'static str; MAX_MEMBERS],
    wants: [Want; MAX_MEMBERS],
    len: usize,
    /// Slot + 1 by [`hash`]; 0 is none.
    index: [u8; 256],
}

const MAX_MEMBERS: usize = 32;

fn hash(key: &[u8]) -> usize {
    match (key.first(), key.last()) {
        (Some(&first), Some(&last)) => const_hash(key.len(), first, last),
        _ => 0,
    }
}

const fn const_hash(len: usize, first: u8, last: u8) -> usize {
    (len + first as usize * 8 + last as usize) & 255
}

// Evaluated at compile time only (the consts above): an index out of range, a panic or a truncation is
// a build error.
#[allow(clippy::indexing_slicing, clippy::panic, clippy::cast_possible_truncation)]
impl Members {
    const EMPTY: Members =
        Members { keys: [""; MAX_MEMBERS], wants: [Want::Skip; MAX_MEMBERS], len: 0, index: [0; 256] };

    const fn of_payload(fields: &[Field]) -> Members {
        // The envelope takes part only in the hash: every member a parser keeps of a payload (or of a
        // flat root) then has a hash of its own, and `Picked::from` needs no comparison of keys.
        let mut members = Members::EMPTY.with(RESPONSES, Want::All).with(METADATA, Want::All);
        members = members.with("triggerEvent", Want::Skip).with("createdAt", Want::Skip).with("payload", Want::Skip);
        let mut i = 0;
        while i < fields.len() {
            members = match fields[i].kind {
                Kind::Text(chain) | Kind::Int(chain) => members.with_sources(chain),
                Kind::Time(source) => members.with_sources(&[source]),
                Kind::Record(record) => members.with(record.key, Want::Fields(record.members)).of_nested(record.fields),
                Kind::Guests(record) => members.with(record.key, Want::Fields(record.members)),
                _ => members,
            };
            i += 1;
        }
        members
    }

    /// `Payload` and root sources of a record's fields (the `Own` ones are the record's).
    const fn of_nested(self, fields: &[Field]) -> Members {
        let mut members = self;
        let mut i = 0;
        while i < fields.len() {
            if let Kind::Text(chain) | Kind::Int(chain) = fields[i].kind {
                members = members.with_sources(chain);
            }
            i += 1;
        }
        members
    }

    const fn with_sources(self, sources: &[Source]) -> Members {
        let mut members = self;
        let mut i = 0;
        while i < sources.len() {
            if let Payload(key) | Root(key) | FlatRoot(key) = sources[i] {
                members = members.with(key, Want::All);
            }
            i += 1;
        }
        members
    }

    /// The members a record's fields read in its own object (`Own`, and the outer object of `OwnIn`).
    /// Also checks that the record's fields are all text, as the record's reader expects.
    const fn of_record(record: &Record) -> Members {
        let mut members = Members::EMPTY;
        let mut i = 0;
        while i < record.fields.len() {
            if let Kind::Text(chain) = record.fields[i].kind {
                let mut j = 0;
                while j < chain.len() {
                    if let Own(key) | OwnIn(key, _) = chain[j] {
                        members = members.with(key, Want::All);
                    }
                    j += 1;
                }
            } else {
                panic!("a record's fields are text");
            }
            i += 1;
        }
        members
    }

    const fn with(self, key: &'static str, want: Want) -> Members {
        let mut members = self;
        let mut i = 0;
        while i < members.len {
            if same(members.keys[i], key) {
                return members;
            }
            i += 1;
        }
        let bytes = key.as_bytes();
        let h = const_hash(bytes.len(), bytes[0], bytes[bytes.len() - 1]);
        assert!(members.index[h] == 0, "two member keys share a hash: change const_hash");
        members.keys[members.len] = key;
        members.wants[members.len] = want;
        members.len += 1;
        members.index[h] = members.len as u8;
        members
    }
}

impl Members {
    fn slot(&self, key: &str) -> Option<usize> {
        let slot = usize::from(*self.index.get(hash(key.as_bytes()))?).checked_sub(1)?;
        (self.keys.get(slot)? == &key).then_some(slot)
    }

    /// The slot of a key that the tables read (or a member the parser kept), found by its hash alone.
    fn table_slot(&self, key: &str) -> Option<usize> {
        debug_assert_eq!(self.slot(key), usize::from(*self.index.get(hash(key.as_bytes()))?).checked_sub(1));
        usize::from(*self.index.get(hash(key.as_bytes()))?).checked_sub(1)
    }

    fn want(&self, key: &str) -> Want {
        self.slot(key).and_then(|i| self.wants.get(i).copied()).unwrap_or(Want::Skip)
    }
}

/// Where fields are read from: an object, or the payload members picked in one pass.
trait Fields<'d>: Copy {
    /// The field's value; absent and null are both None.
    fn field(self, key: &str) -> Option<Json<'d>>;
}

impl<'d> Fields<'d> for Json<'d> {
    fn field(self, key: &str) -> Option<Json<'d>> {
        self.get_present(key)
    }
}

/// The payload members the table reads, picked in one pass over the payload instead of one scan per
/// field (a payload has about fifty members).
struct Picked<'d>([Option<Json<'d>>; PICKS]);

impl<'d> Picked<'d> {
    fn from(object: Json<'d>) -> Self {
        let mut slots = [None; PICKS];
        if let Json::Object(o) = object {
            for (key, value) in o.entries() {
                // Only kept members are here: their hash alone finds their slot.
                if let Some(slot) = PICKED.table_slot(key).and_then(|i| slots.get_mut(i)) {
                    *slot = Some(value); // the last of a repeated key wins, as in PHP
                }
            }
        }
        Picked(slots)
    }
}

impl<'d> Fields<'d> for &Picked<'d> {
    fn field(self, key: &str) -> Option<Json<'d>> {
        // Only the tables' keys are asked for, each the only key of its hash in `PICKED` (checked at
        // compile time): the slot needs no comparison of the key.
        PICKED.table_slot(key).and_then(|i| self.0.get(i).copied().flatten()).filter(|v| !matches!(v, Json::Null))
    }
}

/// An optional string field: absent or null is None, another type is `NOT_AN_EVENT`.
fn string<'d>(obj: impl Fields<'d>, prefix: &dyn fmt::Display, key: &str) -> Result<Option<&'d str>, PayloadError> {
    string_value(obj.field(key), prefix, key)
}

fn string_value<'d>(
    value: Option<Json<'d>>,
    prefix: &dyn fmt::Display,
    key: &str,
) -> Result<Option<&'d str>, PayloadError> {
    match value {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(&prefix, key, "a string", other)),
    }
}

/// A JSON number without fraction or exponent that fits in i64 (`-0` is 0).
fn integer(text: &str) -> Option<i64> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    text.parse().ok()
}

fn int_value(value: Option<Json<'_>>, prefix: &dyn fmt::Display, key: &str) -> Result<Option<i64>, PayloadError> {
    match value {
        None => Ok(None),
        Some(got @ Json::Number(text)) => {
            integer(text).map(Some).ok_or_else(|| wrong_type(&prefix, key, "an integer", got))
        }
        Some(other) => Err(wrong_type(&prefix, key, "an integer", other)),
    }
}

fn object<'d>(
    obj: impl Fields<'d>,
    prefix: &dyn fmt::Display,
    key: &str,
) -> Result<Option<json::Container<'d>>, PayloadError> {
    match obj.field(key) {
        None => Ok(None),
        Some(Json::Object(members)) => Ok(Some(members)),
        Some(other) => Err(wrong_type(&prefix, key, "an object", other)),
    }
}

fn time_value(value: Option<Json<'_>>, prefix: &dyn fmt::Display, key: &str) -> Result<Option<i64>, PayloadError> {
    match string_value(value, prefix, key)? {
        None => Ok(None),
        Some(text) => parse_rfc3339(text)
            .map(|i| Some(i.unix_seconds))
            .ok_or_else(|| PayloadError::field(&format!("{prefix}{key}"), "not an RFC 3339 time")),
    }
}

/// An e-mail compared and hashed ignoring ASCII case, without a lower-cased copy.
struct Folded<'s>(&'s str);

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Lower-case through a small buffer: one hasher call per 64 bytes, not one per byte.
        let mut buffer = [0u8; 64];
        for chunk in self.0.as_bytes().chunks(buffer.len()) {
            let folded = buffer.get_mut(..chunk.len()).unwrap_or_default();
            for (out, b) in folded.iter_mut().zip(chunk) {
                *out = b.to_ascii_lowercase();
            }
            state.write(folded);
        }
        state.write_u8(0xff);
    }
}

/// A number as text: integers in decimal, anything else exactly as sent.
fn number_text(text: &str) -> Text<'_> {
    match integer(text) {
        Some(0) if text == "-0" => Cow::Borrowed("0"),
        // Any other JSON integer is already its own decimal form.
        _ => Cow::Borrowed(text),
    }
}

fn metadata_value(value: Json<'_>) -> Option<Text<'_>> {
    match value {
        Json::String(s) => Some(Cow::Borrowed(s)),
        Json::Number(text) => Some(number_text(text)),
        Json::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}

fn is_lead_id(value: &str) -> bool {
    let b = value.as_bytes();
    (1..=18).contains(&b.len()) && b.iter().all(u8::is_ascii_digit) && b.first() != Some(&b'0')
}

/// PHP's array-key rule: the canonical decimal form of an i64 is an integer key.
fn php_key(key: &str) -> Key<'_> {
    let digits = key.strip_prefix('-').unwrap_or(key);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" && digits.len() == key.len() || !digits.starts_with('0'));
    match key.parse::<i64>() {
        Ok(n) if canonical => Key::Int(n),
        _ => Key::Str(Cow::Borrowed(key)),
    }
}

/// A booking-form answer: unwrap `{label, value}`, then reduce the value to a scalar or a list.
fn answer(entry: Json<'_>) -> Answer<'_> {
    let value = match entry {
        Json::Object(_) if entry.get("label").is_some() || entry.get("value").is_some() => entry.get("value"),
        _ => Some(entry),
    };
    let Some(value) = value else { return Answer::Null };
    match value {
        Json::Null => Answer::Null,
        Json::Bool(b) => Answer::Bool(b),
        Json::String(s) => Answer::Text(Cow::Borrowed(s)),
        Json::Number(text) => Answer::Text(number_text(text)),
        Json::Array(items) => items
            .items()
            .map(|item| match item {
                Json::String(s) => Some(Cow::Borrowed(s)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map_or(Answer::Null, Answer::List),
        Json::Object(_) => {
            let text = |key: &str| match value.get(key) {
                Some(Json::String(s)) => Some(s),
                _ => None,
            };
            if value.get("firstName").is_some() || value.get("lastName").is_some() {
                let parts: Vec<&str> =
                    [text("firstName"), text("lastName")].into_iter().flatten().filter(|s| !s.is_empty()).collect();
                Answer::Text(Cow::Owned(parts.join(" ")))
            } else if value.get("value").is_some() || value.get("optionValue").is_some() {
                match (text("optionValue"), text("value")) {
                    (Some(option), _) if !option.is_empty() => Answer::Text(Cow::Borrowed(option)),
                    (_, Some(plain)) => Answer::Text(Cow::Borrowed(plain)),
                    _ => Answer::Null,
                }
            } else {
                Answer::Null
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn php_keys_follow_php() {
        for (key, int) in [
            ("0", Some(0)),
            ("123", Some(123)),
            ("-5", Some(-5)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("01", None),
            ("-0", None),
            ("+1", None),
            ("", None),
            ("9223372036854775808", None),
            ("1.0", None),
            (" 1", None),
            ("-", None),
        ] {
            let expected = int.map_or_else(|| Key::Str(Cow::Borrowed(key)), Key::Int);
            assert_eq!(php_key(key), expected, "{key:?}");
        }
    }

    #[test]
    fn member_lists_find_their_keys_and_only_them() {
        for members in [&PICKED, &BOOKER_MEMBERS, &ORGANIZER_MEMBERS] {
            assert!(members.len > 0);
            for (i, key) in members.keys.iter().take(members.len).enumerate() {
                assert_eq!((members.slot(key), members.table_slot(key)), (Some(i), Some(i)), "{key}");
                // Same length, first and last byte, so the same hash: still not that key.
                let other = format!("{}{}", &key[..1], &key[1..].replace(|c: char| c.is_ascii_lowercase(), "q"));
                if other != *key && other.len() > 1 {
                    assert_eq!(members.slot(&other), None, "{other}");
                }
            }
        }
        assert!(matches!(PICKED.want("attendees"), Want::Fields(_)) && matches!(PICKED.want("status"), Want::All));
        assert!(matches!(PICKED.want("additionalNotes"), Want::Skip) && matches!(PICKED.want("createdAt"), Want::Skip));
        assert!(
            matches!(BOOKER_MEMBERS.want("language"), Want::All)
                && matches!(BOOKER_MEMBERS.want("utcOffset"), Want::Skip)
        );
    }

    #[test]
    fn lead_ids_are_1_to_18_digits_without_leading_zero() {
        assert!(is_lead_id("1") && is_lead_id("123456789012345678"));
        assert!(
            !is_lead_id("0")
                && !is_lead_id("0123")
                && !is_lead_id("1234567890123456789")
                && !is_lead_id("")
                && !is_lead_id("12a")
        );
    }
}
