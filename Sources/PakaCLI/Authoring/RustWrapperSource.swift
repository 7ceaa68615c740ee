/// The Rust scaffold's `src/paka.rs`: the safe `Plugin` trait over the binding module, and the
/// `paka_plugin!` export macro. Kept as a raw string so it reads exactly as the author sees it.
enum RustWrapperSource {
    static let text = #"""
//! paka.rs — a safe wrapper over paka_abi.rs: implement `Plugin`, export it with `paka_plugin!`.
//! It keeps the ABI's rules for you: no panic crosses into the host (a panic FAILs the event or
//! refuses `create`), a refused publish FAILs and a "not now" RETRYs, error texts live until the
//! next call, and the host table is read no further than its `struct_size`. Order is the host's
//! job: it never batches two events of one key.
use crate::paka_abi::*;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What `handle` answers for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the host stores the offset.
    Ok,
    /// Transient (a dependency is down): redelivered with backoff; never for a bad event.
    Retry(String),
    /// Permanent (the event is bad, or a publish was refused for good): dead-lettered.
    Fail(String),
}

/// One event, borrowed from the host for the duration of `handle`.
pub struct Event<'a> {
    /// The CloudEvents id: any non-empty text (any length, quotes, backslashes).
    pub id: &'a [u8],
    pub topic: &'a [u8],
    /// The Kafka key (resource id); may be empty.
    pub key: &'a [u8],
    /// The whole CloudEvents JSON envelope; the body is its "data".
    pub payload: &'a [u8],
    /// -1 when processed synchronously (no Kafka).
    pub partition: i32,
    pub offset: i64,
    /// 1 on first delivery.
    pub attempt: u32,
}

impl Event<'_> {
    pub fn id_text(&self) -> String { String::from_utf8_lossy(self.id).into_owned() }
    pub fn topic_text(&self) -> String { String::from_utf8_lossy(self.topic).into_owned() }
}

#[derive(Debug, Clone, Copy)]
pub enum Level { Debug, Info, Warn, Error }

/// Why the host did not take a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// Not now (e.g. the host is still starting): answer RETRY.
    RetryLater(String),
    /// Never (invalid topic, data not JSON): answer FAIL; retrying cannot succeed.
    Refused(String),
}

impl From<PublishError> for Outcome {
    fn from(error: PublishError) -> Outcome {
        match error {
            PublishError::RetryLater(why) => Outcome::Retry(format!("publish not taken now: {why}")),
            PublishError::Refused(why) => Outcome::Fail(format!("publish refused: {why}")),
        }
    }
}

/// The host table, copied size-aware: a field an older host lacks reads as absent.  The host
/// promises its functions may be called from any thread until `destroy`.
#[derive(Clone, Copy)]
pub struct Host {
    table: paka_host,
}
unsafe impl Send for Host {}
unsafe impl Sync for Host {}

fn bytes(b: &[u8]) -> paka_bytes { paka_bytes { ptr: b.as_ptr(), len: b.len() } }

/// # Safety
/// `b` must describe `len` readable bytes (or have `len` 0) that outlive `'a`.
unsafe fn slice<'a>(b: paka_bytes) -> &'a [u8] {
    if b.ptr.is_null() || b.len == 0 { &[] } else { std::slice::from_raw_parts(b.ptr, b.len) }
}

impl Host {
    /// # Safety
    /// `raw` must point at a host table of at least its own `struct_size` bytes.
    pub unsafe fn from_raw(raw: *const paka_host) -> Host {
        let mut table = std::mem::MaybeUninit::<paka_host>::zeroed();
        let declared = std::ptr::read_unaligned(raw as *const usize);
        let count = declared.min(std::mem::size_of::<paka_host>());
        std::ptr::copy_nonoverlapping(raw as *const u8, table.as_mut_ptr() as *mut u8, count);
        Host { table: table.assume_init() } // all-zero is valid: null pointers, None functions
    }

    /// The host's ABI minor version.
    pub fn abi_minor(&self) -> u16 { self.table.abi_minor }

    pub fn log(&self, level: Level, message: &str) {
        let level = match level {
            Level::Debug => PAKA_LOG_DEBUG,
            Level::Info => PAKA_LOG_INFO,
            Level::Warn => PAKA_LOG_WARN,
            Level::Error => PAKA_LOG_ERROR,
        };
        if let Some(log) = self.table.log {
            unsafe { log(self.table.ctx, level, bytes(message.as_bytes())) }
        }
    }

    /// Publishes `json` (one JSON value: the new event's data) on `topic` with Kafka key `key`.
    pub fn publish(&self, topic: &str, key: &[u8], json: &[u8]) -> Result<(), PublishError> {
        let (t, k, d) = (bytes(topic.as_bytes()), bytes(key), bytes(json));
        if let Some(checked) = self.table.publish_checked.filter(|_| paka_host_has(self.table.struct_size, PAKA_HOST_PUBLISH_CHECKED_END)) {
            let mut why = [0 as c_char; 256];
            let status = unsafe { checked(self.table.ctx, t, k, d, why.as_mut_ptr(), why.len()) };
            let why = unsafe { CStr::from_ptr(why.as_ptr()) }.to_string_lossy().into_owned();
            return match status {
                PAKA_PUBLISH_OK => Ok(()),
                PAKA_PUBLISH_RETRY => Err(PublishError::RetryLater(why)),
                _ => Err(PublishError::Refused(why)),
            };
        }
        // A 1.0 host: its -1 was documented as "invalid topic or data not JSON", both permanent.
        match self.table.publish {
            Some(publish) if unsafe { publish(self.table.ctx, t, k, d) } == 0 => Ok(()),
            _ => Err(PublishError::Refused(format!("the host refused the event for '{topic}'"))),
        }
    }

    /// This plugin's data folder (the host does not create it).
    pub fn data_dir(&self) -> Option<String> {
        let dir = unsafe { self.table.data_dir?(self.table.ctx) };
        (!dir.is_null()).then(|| unsafe { CStr::from_ptr(dir) }.to_string_lossy().into_owned())
    }
}

/// A Paka processor.  The host calls one instance from one thread at a time.
pub trait Plugin: Sized + 'static {
    /// Makes an instance from the entry's `config` object (JSON); `Err` refuses to start.
    fn create(host: Host, config_json: &[u8]) -> Result<Self, String>;

    /// Handles one event.
    fn handle(&mut self, event: &Event) -> Outcome;

    /// Handles a batch.  The default calls `handle` per event; each is answered on its own
    /// (the host never batches two events of one ordering key, so a RETRY overtakes nothing).
    fn handle_batch(&mut self, events: &[Event]) -> Vec<Outcome> {
        events.iter().map(|event| self.handle(event)).collect()
    }
}

/// What the C `instance` pointer refers to: the plugin and the error texts it handed the host
/// last time (valid until the next call, as the ABI promises).
pub struct Instance<P> {
    plugin: P,
    errors: Vec<CString>,
}

fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

fn write_message(text: &str, buffer: *mut c_char, cap: usize) {
    if buffer.is_null() || cap == 0 { return }
    let text = text.as_bytes();
    let mut n = text.len().min(cap - 1);
    while n > 0 && !std::str::from_utf8(&text[..n]).is_ok() { n -= 1 } // never cut a character
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr() as *const c_char, buffer, n);
        *buffer.add(n) = 0;
    }
}

fn panic_text(panic: Box<dyn std::any::Any + Send>) -> String {
    panic.downcast_ref::<&str>().map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// The C `create` hook for `P`.
///
/// # Safety
/// Called by the host only, with the arguments the ABI describes.
pub unsafe extern "C" fn create<P: Plugin>(host: *const paka_host, config: paka_bytes, instance: *mut *mut c_void,
                                           error: *mut c_char, error_cap: usize) -> c_int {
    if host.is_null() || instance.is_null() {
        write_message("create called without a host table or instance slot", error, error_cap);
        return 1;
    }
    let made = catch_unwind(AssertUnwindSafe(|| P::create(Host::from_raw(host), slice(config))));
    match made {
        Ok(Ok(plugin)) => {
            *instance = Box::into_raw(Box::new(Instance { plugin, errors: Vec::new() })) as *mut c_void;
            0
        }
        Ok(Err(why)) => { write_message(&why, error, error_cap); 1 }
        Err(panic) => { write_message(&format!("create panicked: {}", panic_text(panic)), error, error_cap); 1 }
    }
}

/// The C `handle` hook for `P`.
///
/// # Safety
/// Called by the host only, with the arguments the ABI describes.
pub unsafe extern "C" fn handle<P: Plugin>(instance: *mut c_void, events: *const paka_event, count: usize,
                                           results: *mut paka_event_result) {
    if instance.is_null() || events.is_null() || results.is_null() || count == 0 { return }
    let instance = &mut *(instance as *mut Instance<P>);
    instance.errors.clear(); // the texts of the previous call: the host has copied them
    let batch: Vec<Event> = std::slice::from_raw_parts(events, count).iter().map(|e| Event {
        id: slice(e.id), topic: slice(e.topic), key: slice(e.key), payload: slice(e.payload),
        partition: e.partition, offset: e.offset, attempt: e.attempt,
    }).collect();
    let plugin = &mut instance.plugin;
    let outcomes = match catch_unwind(AssertUnwindSafe(|| plugin.handle_batch(&batch))) {
        Ok(outcomes) if outcomes.len() == count => outcomes,
        Ok(outcomes) => vec![Outcome::Fail(format!("the plugin gave {} results for {count} events", outcomes.len())); count],
        Err(panic) => vec![Outcome::Fail(format!("handle panicked: {}", panic_text(panic))); count],
    };
    let results = std::slice::from_raw_parts_mut(results, count);
    for (result, outcome) in results.iter_mut().zip(outcomes) {
        let (code, text) = match outcome {
            Outcome::Ok => (PAKA_OK, None),
            Outcome::Retry(why) => (PAKA_RETRY, Some(why)),
            Outcome::Fail(why) => (PAKA_FAIL, Some(why)),
        };
        let error = text.map(|why| {
            instance.errors.push(c_text(&why));
            instance.errors.last().map_or(std::ptr::null(), |e| e.as_ptr())
        });
        *result = paka_event_result { code, error: error.unwrap_or(std::ptr::null()) };
    }
}

/// The C `destroy` hook for `P`.
///
/// # Safety
/// Called by the host only, once, after the instance's last call.
pub unsafe extern "C" fn destroy<P: Plugin>(instance: *mut c_void) {
    if !instance.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(instance as *mut Instance<P>))));
    }
}

/// A NUL-terminated static string the descriptor can point at.
#[repr(transparent)]
pub struct StaticText(pub *const c_char);
unsafe impl Sync for StaticText {}

/// Exports `$plugin` as this library's processor:
/// `paka_plugin!(MyPlugin, name: "my-plugin", version: "0.1.0", topics: ["a.topic"], description: "what it does");`
#[macro_export]
macro_rules! paka_plugin {
    ($plugin:ty, name: $name:literal, version: $version:literal, topics: [$($topic:literal),* $(,)?], description: $description:literal) => {
        static PAKA_TOPICS: &[$crate::paka::StaticText] =
            &[$($crate::paka::StaticText(concat!($topic, "\0").as_ptr() as *const ::core::ffi::c_char)),*];
        static PAKA_DESCRIPTOR: $crate::paka_abi::paka_plugin_descriptor = $crate::paka_abi::paka_plugin_descriptor {
            struct_size: ::core::mem::size_of::<$crate::paka_abi::paka_plugin_descriptor>() as u32,
            abi_major: $crate::paka_abi::PAKA_ABI_MAJOR,
            abi_minor: $crate::paka_abi::PAKA_ABI_MINOR,
            name: concat!($name, "\0").as_ptr() as *const ::core::ffi::c_char,
            version: concat!($version, "\0").as_ptr() as *const ::core::ffi::c_char,
            topics: PAKA_TOPICS.as_ptr() as *const *const ::core::ffi::c_char,
            topic_count: PAKA_TOPICS.len(),
            default_group: ::core::ptr::null(),
            capabilities: 0,
            create: Some($crate::paka::create::<$plugin>),
            handle: Some($crate::paka::handle::<$plugin>),
            destroy: Some($crate::paka::destroy::<$plugin>),
            flush: None,
            health: None,
            http: None,
            description: concat!($description, "\0").as_ptr() as *const ::core::ffi::c_char,
        };
        #[no_mangle]
        pub extern "C" fn paka_plugin_entry() -> *const $crate::paka_abi::paka_plugin_descriptor {
            &PAKA_DESCRIPTOR
        }
    };
}
"""#
}
