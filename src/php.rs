//! The ext-php-rs layer: PHP types in, core calls, PHP types out. No logic of its own.
#![allow(clippy::needless_pass_by_value)]

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::error::Error;
use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::flags::ConstantFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::{ce, ClassEntry, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::core::{self, Answer, EmptySecret, Event, Key, PayloadError, PayloadErrorKind, Value};

/// `SolarCapture\PayloadException`, registered by hand at module startup rather than with
/// `#[php_class]`: a Rust-backed class gets its own object constructor, which leaves `getFile()` and
/// `getLine()` empty. Inheriting `UnexpectedValueException`'s constructor keeps them.
const PAYLOAD_EXCEPTION: &str = "SolarCapture\\PayloadException";

/// Module startup: interns the event's keys and registers the exception class. Runs outside a PHP call, so it must not panic;
/// on failure the functions throw a plain `UnexpectedValueException` with the same code.
extern "C" fn module_startup(_type: i32, _module_number: i32) -> i32 {
    KEYS.get_or_init(Keys::new);
    let docs: &'static [&'static str] = &[];
    let registered = ClassBuilder::new(PAYLOAD_EXCEPTION)
        .extends((unexpected_value_exception, "\\UnexpectedValueException"))
        .constant("NOT_JSON", PayloadErrorKind::NotJson as i64, docs, ConstantFlags::Public)
        .and_then(|b| b.constant("NOT_AN_EVENT", PayloadErrorKind::NotAnEvent as i64, docs, ConstantFlags::Public))
        .and_then(|b| {
            b.constant("CUSTOM_TEMPLATE", PayloadErrorKind::CustomTemplate as i64, docs, ConstantFlags::Public)
        })
        .and_then(|b| b.registration(|_, _| {}).register());
    if registered.is_err() {
        eprintln!("solar_capture: could not register {PAYLOAD_EXCEPTION}");
    }
    0
}

/// SPL's `UnexpectedValueException`, read from the compiler's class table: this runs during module
/// startup, before `ClassEntry::try_find` can see any class.
fn unexpected_value_exception() -> &'static ClassEntry {
    // SAFETY: the compiler globals and their class table are the engine's, alive for the whole
    // process; the table maps lower-case names to class entries.
    #[allow(unsafe_code)]
    let found = unsafe {
        ext_php_rs::ffi::ext_php_rs_compiler_globals()
            .as_ref()
            .and_then(|globals| globals.class_table.as_ref())
            .and_then(|table| table.get("unexpectedvalueexception"))
            .and_then(|zval| zval.ptr::<ClassEntry>())
            .and_then(|ptr| ptr.as_ref())
    };
    // SPL is always compiled in; the fallback only keeps this free of panics.
    found.unwrap_or_else(ce::exception)
}

// The one conversion of core errors to PHP exceptions.
impl From<PayloadError> for PhpException {
    fn from(error: PayloadError) -> Self {
        let class = ClassEntry::try_find(PAYLOAD_EXCEPTION).unwrap_or_else(unexpected_value_exception);
        PhpException::new(error.message, error.kind as i32, class)
    }
}

impl From<EmptySecret> for PhpException {
    fn from(error: EmptySecret) -> Self {
        PhpException::new(error.to_string(), 0, ce::value_error())
    }
}

/// True when `$signature` is a valid X-Cal-Signature-256 for `$body` under `$secret`.
#[php_function]
#[php(name = "SolarCapture\\verify_signature")]
pub fn verify_signature(body: BinarySlice<u8>, signature: BinarySlice<u8>, secret: BinarySlice<u8>) -> PhpResult<bool> {
    Ok(core::verify(&body, &signature, &secret)?)
}

/// 0-based index of the first secret in `$secrets` that verifies, or null.
#[php_function]
#[php(name = "SolarCapture\\matching_secret")]
pub fn matching_secret(
    body: BinarySlice<u8>,
    signature: BinarySlice<u8>,
    secrets: &ZendHashTable,
) -> PhpResult<Option<i64>> {
    let mut list: Vec<&[u8]> = Vec::with_capacity(secrets.len());
    for (position, (_, secret)) in secrets.iter().enumerate() {
        let bytes = secret.zend_str().map(ZendStr::as_bytes).ok_or_else(|| {
            PhpException::new(
                format!("SolarCapture\\matching_secret(): Argument #3 ($secrets) must contain only strings, {} given at position {position}", type_name(secret)),
                0,
                ce::type_error(),
            )
        })?;
        list.push(bytes);
    }
    Ok(core::matching_secret(&body, &signature, &list)?.map(|i| i64::try_from(i).unwrap_or(i64::MAX)))
}

/// The normalised event of contract section 2.
#[php_function]
#[php(name = "SolarCapture\\normalize_payload")]
pub fn normalize_payload(body: BinarySlice<u8>) -> PhpResult<ZBox<ZendHashTable>> {
    Ok(core::normalize(&body, event_to_array)??)
}

/// Why `$header` can never verify (`"missing"`, `"no_secret_provided"`, `"malformed"`), or null when it is well formed.
#[php_function]
#[php(name = "SolarCapture\\signature_header_problem")]
pub fn signature_header_problem(header: BinarySlice<u8>) -> Option<&'static str> {
    core::header_problem(&header).map(core::HeaderProblem::name)
}

/// Which engine this is: `engine` "native", `version`, `sha256_hardware` (whether SHA-256 runs on hardware instructions).
#[php_function]
#[php(name = "SolarCapture\\engine_info")]
pub fn engine_info() -> PhpResult<ZBox<ZendHashTable>> {
    let mut info = ZendHashTable::with_capacity(3);
    info.insert("engine", "native")?;
    info.insert("version", crate::VERSION)?;
    info.insert("sha256_hardware", core::sha256_uses_hardware())?;
    Ok(info)
}

/// Version of the extension.
#[php_function]
#[php(name = "SolarCapture\\version")]
pub fn version() -> &'static str {
    crate::VERSION
}

fn type_name(value: &Zval) -> &'static str {
    if value.is_long() {
        "int"
    } else if value.is_double() {
        "float"
    } else if value.is_bool() {
        "bool"
    } else if value.is_null() {
        "null"
    } else if value.is_array() {
        "array"
    } else {
        "object"
    }
}

type Built = Result<ZBox<ZendHashTable>, Error>;

/// A permanent interned string, made at module startup and never freed.
#[derive(Clone, Copy)]
struct Interned(*const ZendStr);

// SAFETY: permanent interned strings are immutable and live until the process ends; every thread
// (and request) may read them.
#[allow(unsafe_code)]
unsafe impl Send for Interned {}
#[allow(unsafe_code)]
unsafe impl Sync for Interned {}

impl Interned {
    fn new(text: &str) -> Self {
        Interned(ZBox::into_raw(ZendStr::new_interned(text, true)))
    }

    fn key(self) -> ArrayKey<'static> {
        // SAFETY: see the Send/Sync note above; the pointer comes from `ZBox::into_raw`.
        #[allow(unsafe_code)]
        let string = unsafe { self.0.as_ref() };
        match string {
            Some(s) => ArrayKey::ZendString(s),
            None => ArrayKey::Str(""),
        }
    }
}

/// The event's array keys as interned strings made once at module startup, so that building an event
/// allocates and hashes no key (about a fifth of the call on a 3 KB body): one per entry of
/// `core::FIELDS`, with the keys of its nested object (if any).
struct Keys(Vec<(Interned, Vec<Interned>)>);

impl Keys {
    fn new() -> Self {
        Keys(
            core::FIELDS
                .iter()
                .map(|f| (Interned::new(f.key), f.nested().iter().map(|n| Interned::new(n.key)).collect()))
                .collect(),
        )
    }
}

static KEYS: std::sync::OnceLock<Keys> = std::sync::OnceLock::new();

fn event_to_array(event: Event<'_>) -> Built {
    let Some(keys) = KEYS.get() else {
        return Err(Error::InvalidScope);
    };
    let mut array = ZendHashTable::with_capacity(capacity(keys.0.len()));
    for ((key, nested), value) in keys.0.iter().zip(event.into_values()) {
        insert(&mut array, key.key(), value, nested)?;
    }
    Ok(array)
}

/// Inserts one value of the event; `nested` are the keys of a record's values.
fn insert(array: &mut ZendHashTable, key: ArrayKey<'_>, value: Value<'_>, nested: &[Interned]) -> Result<(), Error> {
    match value {
        Value::Null => array.insert(key, ()),
        Value::Int(n) => array.insert(key, n),
        Value::Text(text) => array.insert(key, text.as_ref()),
        Value::List(items) => array.insert(key, list(&items)),
        Value::Record(values) => {
            let mut record = ZendHashTable::with_capacity(capacity(values.len()));
            for (name, value) in nested.iter().zip(values) {
                record.insert(name.key(), value.as_deref())?;
            }
            array.insert(key, record)
        }
        Value::Map(entries) => {
            let mut map = ZendHashTable::with_capacity(capacity(entries.len()));
            for (name, answer) in entries {
                let name = array_key(&name);
                match answer {
                    Answer::Null => map.insert(name, ())?,
                    Answer::Bool(b) => map.insert(name, b)?,
                    Answer::Text(text) => map.insert(name, text.as_ref())?,
                    Answer::List(items) => map.insert(name, list(&items))?,
                }
            }
            array.insert(key, map)
        }
    }
}

fn list<'a>(items: &'a [core::Text<'_>]) -> Vec<&'a str> {
    items.iter().map(AsRef::as_ref).collect()
}

fn capacity(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(0)
}

fn array_key<'k>(key: &'k Key<'_>) -> ArrayKey<'k> {
    match key {
        Key::Int(n) => ArrayKey::Long(*n),
        Key::Str(s) => ArrayKey::Str(s.as_ref()),
    }
}

/// `php --ri solar_capture`. Runs outside a PHP call: nothing here may panic.
extern "C" fn module_info(_module: *mut ModuleEntry) {
    let sha = if core::sha256_uses_hardware() { "yes (SHA-NI / ARMv8 SHA2)" } else { "no (portable code)" };
    info_table_start!();
    info_table_row!("solar_capture support", "enabled");
    info_table_row!("version", crate::VERSION);
    info_table_row!("SHA-256 hardware instructions", sha);
    info_table_end!();
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .startup_function(module_startup)
        .function(wrap_function!(verify_signature))
        .function(wrap_function!(matching_secret))
        .function(wrap_function!(normalize_payload))
        .function(wrap_function!(version))
        .function(wrap_function!(signature_header_problem))
        .function(wrap_function!(engine_info))
        .info_function(module_info)
}
