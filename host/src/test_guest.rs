//! A waPC guest written in WAT, for the host's own tests.

use crate::PolicyHost;

/// Dispatches on the operation's first byte and length: `validate` answers a canned mutation,
/// `validate_settings` a canned rejection, `protocol_version` `"v1"`; `echo` echoes; `count`
/// answers how many calls this instance served; `trap` traps; `loop` never ends; `fail` reports a
/// guest error `boom`; `host` makes a host call and answers the host's response.
pub const GUEST: &str = r#"
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 0) "boom")
  (data (i32.const 16) "\"v1\"")
  (data (i32.const 32) "{\"accepted\":true,\"mutated_object\":{\"a\":1,\"b\":[2]}}")
  (data (i32.const 96) "{\"valid\":false,\"message\":\"bad\"}")
  (data (i32.const 160) "testnsop")
  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (local $c i32)
    (call $guest_request (i32.const 1024) (i32.const 2048))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.set $c (i32.load8_u (i32.const 1024)))
    (if (i32.and (i32.eq (local.get $c) (i32.const 118)) (i32.eq (local.get $op_len) (i32.const 8)))
      (then
        (call $guest_response (i32.const 32) (i32.const 50))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 118))
      (then
        (call $guest_response (i32.const 96) (i32.const 31))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 112))
      (then
        (call $guest_response (i32.const 16) (i32.const 4))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 116))
      (then unreachable))
    (if (i32.eq (local.get $c) (i32.const 108))
      (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $c) (i32.const 102))
      (then
        (call $guest_error (i32.const 0) (i32.const 4))
        (return (i32.const 0))))
    (if (i32.eq (local.get $c) (i32.const 99))
      (then
        (i32.store8 (i32.const 4096) (i32.add (i32.const 48) (global.get $calls)))
        (call $guest_response (i32.const 4096) (i32.const 1))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 104))
      (then
        (if (i32.eqz (call $host_call (i32.const 160) (i32.const 4) (i32.const 164) (i32.const 2)
                                      (i32.const 166) (i32.const 2) (i32.const 2048) (local.get $msg_len)))
          (then
            (call $guest_error (i32.const 0) (i32.const 4))
            (return (i32.const 0))))
        (call $host_response (i32.const 8192))
        (call $guest_response (i32.const 8192) (call $host_response_len))
        (return (i32.const 1))))
    (call $guest_response (i32.const 2048) (local.get $msg_len))
    (i32.const 1))
)
"#;

/// The guest, compiled.
pub fn guest() -> PolicyHost {
    PolicyHost::from_bytes(GUEST.as_bytes()).expect("the test guest compiles")
}

/// The guest with `instruction` replaced by `replacement` (to make one operation trap).
pub fn with_replaced(instruction: &str, replacement: &str) -> PolicyHost {
    assert!(GUEST.contains(instruction), "{instruction}");
    PolicyHost::from_bytes(GUEST.replace(instruction, replacement).as_bytes())
        .expect("the edited test guest compiles")
}
