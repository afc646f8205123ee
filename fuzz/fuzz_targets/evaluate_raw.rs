//! Raw bytes into `evaluate` (what the `validate` waPC function runs), checked by the oracle.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    psp_fuzz::check_evaluation(payload);
});
