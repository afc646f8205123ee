//! Where in a JSON text a parse error happened, as a field path (`spec.containers[0].securityContext`).
//!
//! serde_json reports a line and column; this scans the text up to that point, tracking object keys and
//! array indices. It replaces a path-tracking deserialiser wrapper, which doubled the deserialisation code in
//! the module for a message that only the error path needs.

enum Frame {
    Object { key: Option<String> },
    Array { index: usize },
}

/// The byte offset of a 1-based `line` and `column` in `text` (clamped to the text).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        let newline = text.match_indices('\n').nth(line.saturating_sub(2));
        newline.map_or(text.len(), |(i, _)| i.saturating_add(1))
    };
    line_start.saturating_add(column).min(text.len())
}

/// The path of the value being read at `line`:`column` of `text`; empty at the top level.
pub fn path_at(text: &str, line: usize, column: usize) -> String {
    let end = offset_of(text, line, column);
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        match bytes.get(i) {
            Some(b'{') => {
                stack.push(Frame::Object { key: None });
                expecting_key = true;
            }
            Some(b'[') => stack.push(Frame::Array { index: 0 }),
            Some(b'}') | Some(b']') => {
                stack.pop();
                expecting_key = false;
            }
            Some(b',') => match stack.last_mut() {
                Some(Frame::Array { index }) => *index = index.saturating_add(1),
                Some(Frame::Object { key }) => {
                    *key = None;
                    expecting_key = true;
                }
                None => {}
            },
            Some(b'"') => {
                let start = i.saturating_add(1);
                let mut j = start;
                while j < bytes.len() && bytes.get(j) != Some(&b'"') {
                    j = j.saturating_add(if bytes.get(j) == Some(&b'\\') { 2 } else { 1 });
                }
                if expecting_key {
                    if let Some(Frame::Object { key }) = stack.last_mut() {
                        *key = Some(
                            text.get(start..j.min(text.len()))
                                .unwrap_or_default()
                                .replace("\\\"", "\""),
                        );
                    }
                    expecting_key = false;
                }
                i = j;
            }
            _ => {}
        }
        i = i.saturating_add(1);
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// How deep a JSON document may nest. serde_json refuses deeper documents when it builds a JSON value (as the
/// policy does to return a mutation), but skips unread fields at any depth: checking the depth up front gives
/// every request the same verdict whether or not it is mutated. Real objects nest about 30 levels.
pub const MAX_DEPTH: usize = 128;

/// True when `text` nests arrays and objects deeper than `limit` (brackets inside strings do not count).
pub fn nests_deeper_than(text: &str, limit: usize) -> bool {
    let mut depth: usize = 0;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// A parse error of `text` as `what: <error>` with the path where it happened, when there is one.
pub fn describe(text: &str, error: &serde_json::Error) -> String {
    let (path, message) = locate(text, error);
    if path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    }
}

/// A parse error of `text` as the path where it happened (empty at the top level) and the error.
pub fn locate(text: &str, error: &serde_json::Error) -> (String, String) {
    let path = path_at(text, error.line(), error.column());
    // serde_json ends its message with " at line L column C": the path says it better.
    let message = error.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    (path, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Range {
        min: i64,
        max: i64,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Doc {
        flag: Option<bool>,
        ranges: Option<Vec<Range>>,
        nested: Option<Box<Doc>>,
        name: Option<String>,
    }

    fn error_of(text: &str) -> String {
        let e = serde_json::from_str::<Doc>(text).unwrap_err();
        describe(text, &e)
    }

    #[test]
    fn names_the_path_of_the_error() {
        let cases = [
            (
                r#"{"flag": "yes"}"#,
                "flag: invalid type: string \"yes\", expected a boolean",
            ),
            (r#"{"flg": true}"#, "flg: unknown field `flg`"),
            (
                r#"{"ranges": [{"min": 1, "max": 2}, {"min": 1}]}"#,
                "ranges[1]: missing field `max`",
            ),
            (
                r#"{"ranges": [{"min": 1, "max": 2}, {"min": "a", "max": 3}]}"#,
                "ranges[1].min: invalid type",
            ),
            (
                "{\n \"nested\": {\"name\": \"a\\\"b\", \"nested\": {\"flag\": 1}}\n}",
                "nested.nested.flag: invalid type: integer `1`",
            ),
            (r#"[1]"#, "[0]: invalid type: integer `1`"),
            (r#"{"flag": true"#, "flag: EOF while parsing an object"),
        ];
        for (text, start) in cases {
            let message = error_of(text);
            assert!(message.starts_with(start), "{text}: {message}");
            assert!(!message.contains(" at line "), "{message}");
        }
    }

    #[test]
    fn measures_nesting_outside_strings() {
        assert!(!nests_deeper_than(r#"{"a": [1, {"b": []}]}"#, 4));
        assert!(nests_deeper_than(r#"{"a": [1, {"b": []}]}"#, 3));
        assert!(!nests_deeper_than(r#"{"a": "[[[[[[\"[[[["}"#, 1));
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert!(nests_deeper_than(&deep, MAX_DEPTH) && !nests_deeper_than(&deep, 129));
    }

    #[test]
    fn never_panics_on_odd_positions() {
        for (line, column) in [
            (0, 0),
            (1, 0),
            (1, 10_000),
            (9, 3),
            (usize::MAX, usize::MAX),
        ] {
            path_at(r#"{"a": ["b\"", {"c": 1}]}"#, line, column);
        }
        path_at(r#"{"unterminated"#, 1, 100);
        path_at(r#"{"a\"#, 1, 5);
    }
}
