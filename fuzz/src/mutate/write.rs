//! How the mutator writes a document back: plain JSON, or now and then with one trick at one node (a key given
//! twice, a node nested deeper than serde_json's limit or the API server's, keys spelt with `\u` escapes),
//! which a `serde_json::Value` cannot hold.

use serde_json::Value;

use super::any_value;
use crate::rng::Rng;

/// How a node is written, beyond plain JSON.
#[derive(Clone, Copy)]
enum Trick {
    None,
    /// Write the `n`-th object's first key twice: first with another value, or last with another value.
    DuplicateKey {
        node: usize,
        decoy_first: bool,
    },
    /// Wrap the `n`-th node in `depth` arrays.
    Nest {
        node: usize,
        depth: usize,
    },
    /// Write every key of the `n`-th object with `\u` escapes.
    EscapeKeys {
        node: usize,
    },
}

struct Writer<'r> {
    out: String,
    counter: usize,
    trick: Trick,
    rng: &'r mut Rng,
}

impl Writer<'_> {
    fn key(&mut self, key: &str, escape: bool) {
        if escape {
            self.out.push('"');
            for unit in key.encode_utf16() {
                self.out.push_str(&format!("\\u{unit:04x}"));
            }
            self.out.push('"');
        } else {
            self.out.push_str(&Value::from(key).to_string());
        }
        self.out.push(':');
    }

    fn value(&mut self, value: &Value) {
        let index = self.counter;
        self.counter += 1;
        let depth = match self.trick {
            Trick::Nest { node, depth } if node == index => depth,
            _ => 0,
        };
        for _ in 0..depth {
            self.out.push('[');
        }
        match value {
            Value::Object(map) => {
                let escape = matches!(self.trick, Trick::EscapeKeys { node } if node == index);
                let duplicate = match self.trick {
                    Trick::DuplicateKey { node, decoy_first } if node == index => Some(decoy_first),
                    _ => None,
                };
                self.out.push('{');
                let mut first = true;
                for (i, (k, v)) in map.iter().enumerate() {
                    if !first {
                        self.out.push(',');
                    }
                    first = false;
                    let decoy = match duplicate {
                        Some(_) if i == 0 => Some(any_value(self.rng, v)),
                        _ => None,
                    };
                    if let (Some(decoy), Some(true)) = (&decoy, duplicate) {
                        self.key(k, escape);
                        self.out.push_str(&decoy.to_string());
                        self.out.push(',');
                    }
                    self.key(k, escape);
                    self.value(v);
                    if let (Some(decoy), Some(false)) = (&decoy, duplicate) {
                        self.out.push(',');
                        self.key(k, escape);
                        self.out.push_str(&decoy.to_string());
                    }
                }
                self.out.push('}');
            }
            Value::Array(items) => {
                self.out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.value(v);
                }
                self.out.push(']');
            }
            scalar => self.out.push_str(&scalar.to_string()),
        }
        for _ in 0..depth {
            self.out.push(']');
        }
    }
}

/// Writes `value` as JSON, with one trick at one node now and then.
pub(super) fn write(value: &Value, rng: &mut Rng, node_count: usize) -> String {
    let node = rng.below(node_count.max(1));
    let trick = match rng.below(10) {
        0 | 1 => Trick::DuplicateKey {
            node,
            decoy_first: rng.chance(50),
        },
        2 => Trick::Nest {
            node,
            depth: *rng.pick(&[2, 64, 127, 128, 129, 1000, 10_001]),
        },
        3 => Trick::EscapeKeys { node },
        _ => Trick::None,
    };
    let mut writer = Writer {
        out: String::new(),
        counter: 0,
        trick,
        rng,
    };
    writer.value(value);
    writer.out
}
