//! A Cal.com webhook body → the normalised event of contract section 2 (rules: docs/normalisation.md).

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use super::error::{PayloadError, PayloadErrorKind};
use super::json::{self, Json, Want};
use super::time::parse_rfc3339;

/// Text of the event: borrowed from the body where it can be, owned where it is computed.
pub type Text<'d> = Cow<'d, str>;

/// The normalised event. Field order is the contract's key order. It borrows from the parsed body,
/// so it is read inside [`normalize`]'s closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'d> {
    pub trigger: Text<'d>,
    pub created_at: Text<'d>,
    pub created_at_ms: i64,
    pub booking_uid: Option<Text<'d>>,
    pub rescheduled_from_uid: Option<Text<'d>>,
    pub booking_id: Option<i64>,
    pub status: Option<Text<'d>>,
    pub title: Option<Text<'d>>,
    pub event_type: Option<Text<'d>>,
    pub event_type_id: Option<i64>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub attendee: Option<Attendee<'d>>,
    pub guests: Vec<Text<'d>>,
    pub organizer: Option<Organizer<'d>>,
    pub location: Option<Text<'d>>,
    pub cancellation_reason: Option<Text<'d>>,
    pub rejection_reason: Option<Text<'d>>,
    pub reschedule_reason: Option<Text<'d>>,
    pub metadata: Vec<(Key<'d>, Text<'d>)>,
    pub lead_id: Option<i64>,
    pub responses: Vec<(Key<'d>, Answer<'d>)>,
    pub event_key: Text<'d>,
    pub body_sha256: Text<'d>,
}

/// The booker (first attendee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee<'d> {
    pub name: Option<Text<'d>>,
    pub email: Option<Text<'d>>,
    pub phone: Option<Text<'d>>,
    pub time_zone: Option<Text<'d>>,
    pub locale: Option<Text<'d>>,
}

/// The host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer<'d> {
    pub name: Option<Text<'d>>,
    pub email: Option<Text<'d>>,
    pub time_zone: Option<Text<'d>>,
}

/// A PHP array key: canonical decimal integers become integer keys, as PHP does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key<'d> {
    Int(i64),
    Str(Text<'d>),
}

/// A booking-form answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'d> {
    Null,
    Bool(bool),
    Text(Text<'d>),
    List(Vec<Text<'d>>),
}

/// Normalises a raw body and hands the event to `read`. Errors carry the contract's code and a
/// message naming the field.
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

    let root_uid = string(root, &"", "uid")?;
    let booking_uid =
        first_non_empty([owned(string(p, &prefix, "uid")?), owned(string(p, &prefix, "bookingUid")?), owned(root_uid)]);
    let booking_id = int(p, &prefix, "bookingId")?.or(if flat { int(p, &"", "id")? } else { None });

    let responses = match object(p, &prefix, "responses")? {
        Some(members) => members.members().into_iter().map(|(k, v)| (php_key(k), answer(v))).collect(),
        None => Vec::new(),
    };
    let answer_text = |name: &str| {
        responses.iter().find_map(|(k, a)| match (k, a) {
            (Key::Str(k), Answer::Text(t)) if k == name && !t.is_empty() => Some(t.clone()),
            _ => None,
        })
    };

    let (attendee, guests) =
        attendees(p, prefix, owned(string(p, &prefix, "smsReminderNumber")?), answer_text("attendeePhoneNumber"))?;
    let reschedule_reason =
        first_non_empty([owned(string(p, &prefix, "reschedulingReason")?), answer_text("rescheduleReason")]);

    let metadata: Vec<(Key, Text)> = match object(p, &prefix, "metadata")? {
        Some(members) => {
            members.members().into_iter().filter_map(|(k, v)| metadata_value(v).map(|v| (php_key(k), v))).collect()
        }
        None => Vec::new(),
    };
    let lead_id = metadata.iter().find_map(|(k, v)| match k {
        Key::Str(k) if k == "lead_id" && is_lead_id(v) => v.parse().ok(),
        _ => None,
    });

    let body_sha256 = lower_hex(&Sha256::digest(body));
    let event_key = match &booking_uid {
        Some(uid) => Cow::Owned(lower_hex(&Sha256::digest(format!("{trigger}\n{uid}\n{created_at}")))),
        None => Cow::Owned(body_sha256.clone()),
    };

    Ok(Event {
        created_at: Cow::Borrowed(created_at),
        created_at_ms,
        booking_uid,
        rescheduled_from_uid: owned(string(p, &prefix, "rescheduleUid")?),
        booking_id,
        status: owned(string(p, &prefix, "status")?),
        title: owned(string(p, &prefix, "title")?),
        event_type: owned(string(p, &prefix, "type")?),
        event_type_id: int(p, &prefix, "eventTypeId")?,
        start: time(p, &prefix, "startTime")?,
        end: time(p, &prefix, "endTime")?,
        attendee,
        guests,
        organizer: organizer(p, prefix)?,
        location: owned(string(p, &prefix, "location")?),
        cancellation_reason: owned(string(p, &prefix, "cancellationReason")?),
        rejection_reason: owned(string(p, &prefix, "rejectionReason")?),
        reschedule_reason,
        metadata,
        lead_id,
        responses,
        event_key,
        body_sha256: Cow::Owned(body_sha256),
        trigger: Cow::Borrowed(trigger),
    })
}

/// Lowercase hex of a digest (`hex::encode` goes through a char iterator; this is a table lookup).
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

/// What the normaliser reads of a body; the parser keeps only this (and validates everything).
/// Keep in step with `picked_slot` and the reads in this file.
const WANTED: Want = Want::Fields(root_field);

/// The root: the envelope, and the payload fields again for flat MEETING_* bodies.
fn root_field(key: &str) -> Want {
    match key {
        "triggerEvent" | "createdAt" => Want::All,
        "payload" => Want::Fields(payload_field),
        other => payload_field(other),
    }
}

fn payload_field(key: &str) -> Want {
    match key {
        "attendees" => Want::Fields(attendee_field),
        "organizer" => Want::Fields(organizer_field),
        other if picked_slot(other).is_some() => Want::All,
        _ => Want::Skip,
    }
}

fn attendee_field(key: &str) -> Want {
    match key {
        "name" | "email" | "phoneNumber" | "timeZone" | "locale" => Want::All,
        "language" => Want::Fields(|key| if key == "locale" { Want::All } else { Want::Skip }),
        _ => Want::Skip,
    }
}

fn organizer_field(key: &str) -> Want {
    match key {
        "name" | "email" | "timeZone" => Want::All,
        _ => Want::Skip,
    }
}

/// Where fields are read from: an object, or the payload fields picked in one pass.
trait Fields<'d>: Copy {
    /// The field's value; absent and null are both None.
    fn field(self, key: &str) -> Option<Json<'d>>;
}

impl<'d> Fields<'d> for Json<'d> {
    fn field(self, key: &str) -> Option<Json<'d>> {
        self.get_present(key)
    }
}

/// The payload fields the normaliser reads, picked in one pass over the payload instead of one
/// scan per field (a payload has about fifty members).
#[derive(Clone, Copy)]
struct Picked<'d>([Option<Json<'d>>; PICKED]);

const PICKED: usize = 20;

fn picked_slot(key: &str) -> Option<usize> {
    Some(match key {
        "uid" => 0,
        "bookingUid" => 1,
        "rescheduleUid" => 2,
        "bookingId" => 3,
        "status" => 4,
        "title" => 5,
        "type" => 6,
        "eventTypeId" => 7,
        "startTime" => 8,
        "endTime" => 9,
        "attendees" => 10,
        "organizer" => 11,
        "location" => 12,
        "cancellationReason" => 13,
        "rejectionReason" => 14,
        "reschedulingReason" => 15,
        "responses" => 16,
        "metadata" => 17,
        "smsReminderNumber" => 18,
        "id" => 19,
        _ => return None,
    })
}

impl<'d> Picked<'d> {
    fn from(object: Json<'d>) -> Self {
        let mut slots = [None; PICKED];
        if let Json::Object(o) = object {
            for (key, value) in o.entries() {
                if let Some(slot) = picked_slot(key).and_then(|i| slots.get_mut(i)) {
                    *slot = Some(value); // the last of a repeated key wins, as in PHP
                }
            }
        }
        Picked(slots)
    }
}

impl<'d> Fields<'d> for Picked<'d> {
    fn field(self, key: &str) -> Option<Json<'d>> {
        // Only the keys listed in `picked_slot` are ever asked for.
        picked_slot(key).and_then(|i| self.0.get(i).copied().flatten()).filter(|v| !matches!(v, Json::Null))
    }
}

/// An optional string field: absent or null is None, another type is NOT_AN_EVENT.
fn string<'d>(obj: impl Fields<'d>, prefix: &dyn fmt::Display, key: &str) -> Result<Option<&'d str>, PayloadError> {
    match obj.field(key) {
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

fn int<'d>(obj: impl Fields<'d>, prefix: &dyn fmt::Display, key: &str) -> Result<Option<i64>, PayloadError> {
    match obj.field(key) {
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

fn time<'d>(obj: impl Fields<'d>, prefix: &dyn fmt::Display, key: &str) -> Result<Option<i64>, PayloadError> {
    match string(obj, prefix, key)? {
        None => Ok(None),
        Some(text) => parse_rfc3339(text)
            .map(|i| Some(i.unix_seconds))
            .ok_or_else(|| PayloadError::field(&format!("{prefix}{key}"), "not an RFC 3339 time")),
    }
}

fn first_non_empty<const N: usize>(chain: [Option<Text<'_>>; N]) -> Option<Text<'_>> {
    chain.into_iter().flatten().find(|s| !s.is_empty())
}

fn owned(value: Option<&str>) -> Option<Text<'_>> {
    value.map(Cow::Borrowed)
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

/// `payload.attendees[3].`: the path prefix of an item, formatted only for an error message.
struct Item(&'static str, usize);

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}attendees[{}].", self.0, self.1)
    }
}

/// A prefix followed by a nested field name.
struct Nested<'p>(&'p dyn fmt::Display, &'static str);

impl fmt::Display for Nested<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.1)
    }
}

/// The booker and the guests' e-mails from `attendees`.
fn attendees<'d>(
    p: impl Fields<'d>,
    prefix: &'static str,
    sms_reminder: Option<Text<'d>>,
    phone_answer: Option<Text<'d>>,
) -> Result<(Option<Attendee<'d>>, Vec<Text<'d>>), PayloadError> {
    let items = match p.field("attendees") {
        None => return Ok((None, Vec::new())),
        Some(Json::Array(items)) => items,
        Some(other) => return Err(wrong_type(&prefix, "attendees", "an array", other)),
    };
    let mut booker = None;
    let mut guests: Vec<Text<'d>> = Vec::new();
    let mut seen: std::collections::HashSet<Folded> = std::collections::HashSet::new();
    for (i, item) in items.items().enumerate() {
        let path = Item(prefix, i);
        if matches!(item, Json::Null) {
            continue;
        }
        if !matches!(item, Json::Object(_)) {
            return Err(PayloadError::field(
                &format!("{prefix}attendees[{i}]"),
                &format!("expected an object, got {}", item.type_name()),
            ));
        }
        let email = string(item, &path, "email")?;
        if i == 0 {
            let locale_in_language = match item.get_present("language") {
                None => None,
                Some(language @ Json::Object(_)) => string(language, &Nested(&path, "language."), "locale")?,
                Some(other) => return Err(wrong_type(&path, "language", "an object", other)),
            };
            booker = Some(Attendee {
                name: owned(string(item, &path, "name")?),
                email: owned(email),
                phone: first_non_empty([
                    owned(string(item, &path, "phoneNumber")?),
                    phone_answer.clone(),
                    sms_reminder.clone(),
                ]),
                time_zone: owned(string(item, &path, "timeZone")?),
                locale: first_non_empty([owned(locale_in_language), owned(string(item, &path, "locale")?)]),
            });
            if let Some(email) = email.filter(|e| !e.is_empty()) {
                seen.insert(Folded(email));
            }
            continue;
        }
        if let Some(email) = email.filter(|e| !e.is_empty()) {
            if seen.insert(Folded(email)) {
                guests.push(Cow::Borrowed(email));
            }
        }
    }
    Ok((booker, guests))
}

fn organizer<'d>(p: impl Fields<'d>, prefix: &'static str) -> Result<Option<Organizer<'d>>, PayloadError> {
    match p.field("organizer") {
        None => Ok(None),
        Some(o @ Json::Object(_)) => {
            let path = Nested(&prefix, "organizer.");
            Ok(Some(Organizer {
                name: owned(string(o, &path, "name")?),
                email: owned(string(o, &path, "email")?),
                time_zone: owned(string(o, &path, "timeZone")?),
            }))
        }
        Some(other) => Err(wrong_type(&prefix, "organizer", "an object", other)),
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
