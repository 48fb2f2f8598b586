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
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
}

/// Whether `s` is a keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
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
    fn keywords() {
        for k in KEYWORDS {
            assert!(is_keyword(k), "{k}");
        }
        assert!(!is_keyword("name") && !is_keyword("keywords") && !is_keyword(""));
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
