//! Raw bytes into settings validation: `validate_settings` (the waPC function) must answer, and agree with
//! `Policy::from_json`; settings that are valid then judge a few requests, checked by the oracle.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|settings: &[u8]| {
    psp_fuzz::check_settings(settings);
});
