//! Rust identifier rules for variant and field names taken from a spec.

/// Every Rust keyword (strict, reserved and edition-2024 reserved), which a spec may
/// not use as a name: generated code would need raw identifiers, or could not compile.
pub const KEYWORDS: &[&str] = &[
    "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "yield",
];

/// Whether `s` is an ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`), keywords included.
pub fn is_ascii_ident(s: &str) -> bool {
    // A plain loop over bytes: the macro runs unoptimized, where iterator adapters and
    // `char` decoding cost tens of instructions per byte.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let ok = b.is_ascii_alphabetic() || b == b'_' || (i > 0 && b.is_ascii_digit());
        if !ok {
            return false;
        }
        i += 1;
    }
    i > 0 && s != "_"
}

/// Whether `s` is a keyword.
pub fn is_keyword(s: &str) -> bool {
    // Only the keywords of the same length are compared (plain loops: the macro runs
    // unoptimized, where iterator adapters cost).
    let Some(&candidates) = KEYWORDS_BY_LEN.get(s.len()) else { return false };
    for k in candidates {
        if k.as_bytes() == s.as_bytes() {
            return true;
        }
    }
    false
}

/// [`KEYWORDS`] by length (index = length).
const KEYWORDS_BY_LEN: [&[&str]; 9] = [
    &[],
    &[],
    &["as", "do", "fn", "if", "in"],
    &["box", "dyn", "for", "gen", "let", "mod", "mut", "pub", "ref", "try", "use"],
    &["else", "enum", "impl", "loop", "move", "priv", "self", "Self", "true", "type"],
    &[
        "async", "await", "break", "const", "crate", "false", "final", "macro", "match", "super", "trait",
        "where", "while", "yield",
    ],
    &["become", "extern", "return", "static", "struct", "typeof", "unsafe"],
    &["unsized", "virtual"],
    &["continue", "override"],
];

/// Whether `name` is one of `names` (a plain loop, lengths first: the macro runs
/// unoptimized).
pub fn is_one_of(name: &[u8], names: &[&str]) -> bool {
    // Plain indexing: a slice iterator costs tens of instructions a step unoptimized.
    let mut i = 0;
    while i < names.len() {
        let n = names[i].as_bytes();
        if n.len() == name.len() && n == name {
            return true;
        }
        i += 1;
    }
    false
}

/// A field name: a snake_case identifier that is not a keyword.
pub fn is_field_name(s: &str) -> bool {
    is_ascii_ident(s) && !is_keyword(s) && !s.as_bytes().iter().any(u8::is_ascii_uppercase)
}

/// Why `s` cannot name a variant (UpperCamelCase, not a keyword), or `None` if it can.
pub fn variant_name_problem(s: &str) -> Option<String> {
    if !is_ascii_ident(s) {
        return Some(format!("`{s}` is not a valid Rust identifier"));
    }
    if is_keyword(s) {
        return Some(format!("`{s}` is a Rust keyword"));
    }
    if !s.as_bytes().first().is_some_and(u8::is_ascii_uppercase) || s.as_bytes().contains(&b'_') {
        return Some(format!("`{s}` is not UpperCamelCase"));
    }
    None
}

/// Converts a name like `group_member_not_found` or `Bad Request` to UpperCamelCase.
pub fn to_upper_camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_by_length_are_the_keywords() {
        let mut by_len: Vec<&str> = KEYWORDS_BY_LEN.iter().flat_map(|k| k.iter().copied()).collect();
        let mut all = KEYWORDS.to_vec();
        by_len.sort_unstable();
        all.sort_unstable();
        assert_eq!(by_len, all);
        for (len, words) in KEYWORDS_BY_LEN.iter().enumerate() {
            assert!(words.iter().all(|w| w.len() == len), "{words:?}");
        }
        for k in KEYWORDS {
            assert!(is_keyword(k), "{k}");
            assert!(!is_keyword(&k.to_uppercase()) || *k == "Self", "{k}");
        }
        assert!(!is_keyword("name") && !is_keyword("keywords") && !is_keyword(""));
        assert!(is_one_of(b"status", &["variant", "status"]) && !is_one_of(b"stat", &["status"]));
    }

    #[test]
    fn names() {
        assert!(is_field_name("group_id"));
        assert!(!is_field_name("type"));
        assert!(!is_field_name("GroupId"));
        assert!(!is_field_name("9a"));
        assert_eq!(variant_name_problem("ReachLimit"), None);
        assert!(variant_name_problem("Self").unwrap().contains("keyword"));
        assert!(variant_name_problem("reach_limit").unwrap().contains("UpperCamelCase"));
        assert!(variant_name_problem("Reach-Limit").unwrap().contains("not a valid"));
        for ident in ["a", "_a", "A9", "a_b_9", "__"] {
            assert!(is_ascii_ident(ident), "{ident}");
        }
        for not_ident in ["", "_", "9", "a-b", "a b", "é", "aé", "a\u{0}"] {
            assert!(!is_ascii_ident(not_ident), "{not_ident:?}");
        }
        assert!(variant_name_problem("Reach_Limit").unwrap().contains("UpperCamelCase"));
        assert!(variant_name_problem("").unwrap().contains("not a valid"));
        assert_eq!(to_upper_camel("Bad Request"), "BadRequest");
        assert_eq!(to_upper_camel("group_member_not_found"), "GroupMemberNotFound");
    }
}
