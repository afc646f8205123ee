//! Valid requests with fields mutated: the corpus holds `validate` payloads (Pods and workloads from the
//! examples, the test fixtures and the Pod Security Admission conformance pods, under several settings); the
//! mutator edits them as JSON (types swapped, nulls, huge and negative numbers, empty and security-relevant
//! keys, unicode, copied subtrees, other kinds and operations) and writes them back with duplicate keys, deep
//! nesting or escaped keys now and then. Inputs that are not JSON get libFuzzer's own mutations.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};

fuzz_target!(|payload: &[u8]| {
    psp_fuzz::check_evaluation(payload);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    match psp_fuzz::mutate::mutate_json(&data[..size], max_size, seed) {
        Some(mutated) => {
            data[..mutated.len()].copy_from_slice(&mutated);
            mutated.len()
        }
        None => fuzzer_mutate(data, size, max_size),
    }
});
