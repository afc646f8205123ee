//! Host paths as `allowedHostPaths` matches them: cleaned as Go's `path.Clean` does, then compared by whole
//! segments, so that neither `/data/ai/../../etc` nor `/data/aix` passes for a path under `/data/ai`.

/// `path` cleaned as Go's `path.Clean` does: no `.` or empty segments, `..` resolved, no trailing slash.
pub(super) fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// True when `path` is `prefix` or lies below it, comparing whole segments of the cleaned paths.
pub(super) fn has_path_prefix(path: &str, prefix: &str) -> bool {
    let (path, prefix) = (clean_path(path), clean_path(prefix));
    if path == prefix {
        return true;
    }
    match path.strip_prefix(&prefix) {
        Some(rest) => prefix.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_and_prefixes() {
        for (path, clean) in [
            ("/data/ai/../../etc", "/etc"),
            ("/data/ai/./../x", "/data/x"),
            ("//data/ai", "/data/ai"),
            ("/data/ai/", "/data/ai"),
            ("/", "/"),
            ("/..", "/"),
            ("", "."),
            ("a/../..", ".."),
        ] {
            assert_eq!(clean_path(path), clean, "{path}");
        }
        for (path, prefix, matches) in [
            ("/data/ai", "/data/ai", true),
            ("/data/ai/models", "/data/ai", true),
            ("/data/aix", "/data/ai", false),
            ("/data/ai/../../etc", "/data/ai", false),
            ("//data/ai", "/data/ai", true),
            ("/data/ai/", "/data/ai/", true),
            ("/anything", "/", true),
            ("data/ai", "/data/ai", false),
        ] {
            assert_eq!(has_path_prefix(path, prefix), matches, "{path} {prefix}");
        }
    }
}
