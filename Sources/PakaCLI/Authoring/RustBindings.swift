import CPakaABI

/// `paka plugin header --rust`: paka_plugin.h as a `#[repr(C)]` Rust module. The declarations are
/// written by hand to mirror the header; the layout assertions appended to them are computed
/// here from the header as the C compiler lays it out, so a Rust build fails if the two differ.
public enum RustBindings {
    public static var text: String { declarations + layoutAssertions }

    /// One `const` assertion per struct size and field offset, from the C header's layout.
    static var layoutAssertions: String {
        var lines = ["", "// Layout of paka_plugin.h as the C compiler lays it out here (generated; do not edit)."]
        func size<T>(_ type: T.Type, _ name: String) {
            lines.append("const _: () = assert!(core::mem::size_of::<\(name)>() == \(MemoryLayout<T>.size));")
        }
        func offset<T>(_ name: String, _ fields: [(String, PartialKeyPath<T>)]) {
            for (field, path) in fields {
                lines.append("const _: () = assert!(core::mem::offset_of!(\(name), \(field)) == \(MemoryLayout<T>.offset(of: path) ?? -1));")
            }
        }
        size(paka_bytes.self, "paka_bytes")
        offset("paka_bytes", [("ptr", \paka_bytes.ptr), ("len", \paka_bytes.len)])
        size(paka_event.self, "paka_event")
        offset("paka_event", [("id", \paka_event.id), ("topic", \paka_event.topic), ("key", \paka_event.key), ("payload", \paka_event.payload),
                              ("partition", \paka_event.partition), ("offset", \paka_event.offset), ("attempt", \paka_event.attempt)])
        size(paka_event_result.self, "paka_event_result")
        offset("paka_event_result", [("code", \paka_event_result.code), ("error", \paka_event_result.error)])
        size(paka_http_request.self, "paka_http_request")
        offset("paka_http_request", [("method", \paka_http_request.method), ("path", \paka_http_request.path), ("query", \paka_http_request.query),
                                     ("body", \paka_http_request.body), ("content_type", \paka_http_request.content_type)])
        size(paka_http_response.self, "paka_http_response")
        offset("paka_http_response", [("status", \paka_http_response.status), ("content_type", \paka_http_response.content_type),
                                      ("body", \paka_http_response.body)])
        size(paka_host.self, "paka_host")
        offset("paka_host", [("struct_size", \paka_host.struct_size), ("abi_major", \paka_host.abi_major), ("abi_minor", \paka_host.abi_minor),
                             ("ctx", \paka_host.ctx), ("publish", \paka_host.publish), ("log", \paka_host.log), ("data_dir", \paka_host.data_dir),
                             ("publish_checked", \paka_host.publish_checked)])
        size(paka_plugin_descriptor.self, "paka_plugin_descriptor")
        offset("paka_plugin_descriptor", [
            ("struct_size", \paka_plugin_descriptor.struct_size), ("abi_major", \paka_plugin_descriptor.abi_major),
            ("abi_minor", \paka_plugin_descriptor.abi_minor), ("name", \paka_plugin_descriptor.name), ("version", \paka_plugin_descriptor.version),
            ("topics", \paka_plugin_descriptor.topics), ("topic_count", \paka_plugin_descriptor.topic_count),
            ("default_group", \paka_plugin_descriptor.default_group), ("capabilities", \paka_plugin_descriptor.capabilities),
            ("create", \paka_plugin_descriptor.create), ("handle", \paka_plugin_descriptor.handle), ("destroy", \paka_plugin_descriptor.destroy),
            ("flush", \paka_plugin_descriptor.flush), ("health", \paka_plugin_descriptor.health), ("http", \paka_plugin_descriptor.http),
            ("description", \paka_plugin_descriptor.description),
        ])
        lines.append("const _: () = assert!(PAKA_ABI_MAJOR == \(PAKA_ABI_MAJOR) && PAKA_ABI_MINOR == \(PAKA_ABI_MINOR));")
        return lines.joined(separator: "\n") + "\n"
    }

    static let declarations = #"""
//! paka_abi.rs — a #[repr(C)] mirror of paka_plugin.h, ABI 1.1, written by `paka plugin header --rust`.
//! Hand-written to match the header; the layout assertions at the end were computed from the C
//! header itself, so `cargo build` fails if this file and the header ever disagree.
//! Do not edit: regenerate it with `paka plugin header --rust > src/paka_abi.rs`.
#![allow(non_camel_case_types, dead_code)]

use core::ffi::{c_char, c_int, c_void};

pub const PAKA_ABI_MAJOR: u16 = 1;
pub const PAKA_ABI_MINOR: u16 = 1;
pub const PAKA_ENTRY_SYMBOL: &str = "paka_plugin_entry";

/// Codes are plain i32 with named constants, never Rust enums: an unknown value from a newer
/// host must not be undefined behaviour.
pub type paka_result = i32;
pub const PAKA_OK: paka_result = 0;
pub const PAKA_RETRY: paka_result = 1;
pub const PAKA_FAIL: paka_result = 2;

pub type paka_log_level = i32;
pub const PAKA_LOG_DEBUG: paka_log_level = 0;
pub const PAKA_LOG_INFO: paka_log_level = 1;
pub const PAKA_LOG_WARN: paka_log_level = 2;
pub const PAKA_LOG_ERROR: paka_log_level = 3;

pub type paka_publish_status = i32;
pub const PAKA_PUBLISH_OK: paka_publish_status = 0;
pub const PAKA_PUBLISH_RETRY: paka_publish_status = 1;
pub const PAKA_PUBLISH_REFUSED: paka_publish_status = 2;

pub const PAKA_CAP_FLUSH: u64 = 1 << 0;
pub const PAKA_CAP_HEALTH: u64 = 1 << 1;
pub const PAKA_CAP_HTTP: u64 = 1 << 2;

/// A byte range; NOT NUL-terminated; `ptr` may be null when `len` is 0.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct paka_bytes {
    pub ptr: *const u8,
    pub len: usize,
}

/// One event; every field BORROWED for the duration of `handle`.  `id` is any non-empty UTF-8
/// text the producer chose (any length, quotes, backslashes): escape it before writing JSON.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct paka_event {
    pub id: paka_bytes,
    pub topic: paka_bytes,
    pub key: paka_bytes,
    pub payload: paka_bytes,
    pub partition: i32,
    pub offset: i64,
    pub attempt: u32,
}

/// Pre-filled with `{PAKA_RETRY, null}` by the host; `error` PLUGIN-OWNED until the next call.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct paka_event_result {
    pub code: paka_result,
    pub error: *const c_char,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct paka_http_request {
    pub method: paka_bytes,
    pub path: paka_bytes,
    pub query: paka_bytes,
    pub body: paka_bytes,
    pub content_type: paka_bytes,
}

/// `status` pre-set to 500 by the host.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct paka_http_response {
    pub status: i32,
    pub content_type: paka_bytes,
    pub body: paka_bytes,
}

/// The host table: valid from `create` until `destroy` returns.  Fields after `data_dir` exist
/// only when `struct_size` covers them (`paka_host_has`); read it with a size-aware copy.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct paka_host {
    pub struct_size: usize,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub ctx: *mut c_void,
    pub publish: Option<unsafe extern "C" fn(*mut c_void, paka_bytes, paka_bytes, paka_bytes) -> c_int>,
    pub log: Option<unsafe extern "C" fn(*mut c_void, paka_log_level, paka_bytes)>,
    pub data_dir: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    // 1.1
    pub publish_checked: Option<
        unsafe extern "C" fn(*mut c_void, paka_bytes, paka_bytes, paka_bytes, *mut c_char, usize) -> paka_publish_status,
    >,
}

/// PAKA_HOST_HAS: the host table's `struct_size` covers the field ending at `field_end`
/// (`core::mem::offset_of!(paka_host, field) + size of the field`).
pub const fn paka_host_has(struct_size: usize, field_end: usize) -> bool {
    struct_size >= field_end
}
pub const PAKA_HOST_PUBLISH_CHECKED_END: usize =
    core::mem::offset_of!(paka_host, publish_checked) + core::mem::size_of::<usize>();

pub type paka_create_fn = unsafe extern "C" fn(*const paka_host, paka_bytes, *mut *mut c_void, *mut c_char, usize) -> c_int;
pub type paka_handle_fn = unsafe extern "C" fn(*mut c_void, *const paka_event, usize, *mut paka_event_result);
pub type paka_destroy_fn = unsafe extern "C" fn(*mut c_void);
pub type paka_flush_fn = unsafe extern "C" fn(*mut c_void) -> paka_result;
pub type paka_health_fn = unsafe extern "C" fn(*mut c_void, *mut c_char, usize) -> c_int;
pub type paka_http_fn = unsafe extern "C" fn(*mut c_void, *const paka_http_request, *mut paka_http_response);

/// Returned by `paka_plugin_entry`; STATIC.
#[repr(C)]
pub struct paka_plugin_descriptor {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub name: *const c_char,
    pub version: *const c_char,
    pub topics: *const *const c_char,
    pub topic_count: usize,
    pub default_group: *const c_char,
    pub capabilities: u64,
    pub create: Option<paka_create_fn>,
    pub handle: Option<paka_handle_fn>,
    pub destroy: Option<paka_destroy_fn>,
    pub flush: Option<paka_flush_fn>,
    pub health: Option<paka_health_fn>,
    pub http: Option<paka_http_fn>,
    // 1.1
    pub description: *const c_char,
}

// The descriptor and its strings are immutable statics: sharing them between threads is safe.
unsafe impl Sync for paka_plugin_descriptor {}
"""#
}
