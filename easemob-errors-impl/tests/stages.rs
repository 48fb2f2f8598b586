//! The three stages on their own, without a compiler.

use easemob_errors_impl::source::SourceFile;
use easemob_errors_impl::spec::Policy;
use easemob_errors_impl::{check, expand, source, spec};

const GOOD: &str = r#"
[api]
name = "ShopError"
languages = ["en", "zh"]

[defaults]
attempts = 4

[status.404]
name = "Not Found"
meaning = "m"
meaning_zh = "含义"
retry = "never"

[status.429]
name = "Too Many Requests"
meaning = "m"
meaning_zh = "含义"
retry = { action = "backoff", base_ms = 100, max_ms = 1000 }
alert = true

[[errors]]
variant = "OrderNotFound"
status = 404
error = "order_not_found"
description = "order {order_id:u64} does not exist"
cause = "c"
cause_zh = "原因"
remedy = "r"
remedy_zh = "处理"

[[errors]]
variant = "OrderMissing"
status = 404
error = "order_not_found"
cause = "c"
cause_zh = "原因"
remedy = "r"
remedy_zh = "处理"

[[errors]]
variant = "Throttled"
status = 429
error = "throttled"
cause = "c"
cause_zh = "原因"
remedy = "r"
remedy_zh = "处理"
alert = false
"#;

fn src(text: &str) -> Vec<SourceFile> {
    vec![SourceFile::new("spec/shop.toml", "/abs/spec/shop.toml", text)]
}

fn errors(text: &str) -> Vec<String> {
    match check(src(text)) {
        Ok(_) => Vec::new(),
        Err(rejected) => rejected.messages,
    }
}

fn entry(variant: &str, status: u16, error: &str, description: &str) -> String {
    format!(
        "\n[[errors]]\nvariant = \"{variant}\"\nstatus = {status}\nerror = \"{error}\"\ndescription = \"{description}\"\n\
         cause = \"c\"\ncause_zh = \"c\"\nremedy = \"r\"\nremedy_zh = \"r\"\n"
    )
}

#[test]
fn parse_keeps_values_and_positions() {
    let (spec, diags) = spec::parse(src(GOOD));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(spec.api.as_ref().map(|a| a.name.as_str()), Some("ShopError"));
    assert_eq!(spec.statuses.len(), 2);
    let order = &spec.errors[0];
    assert_eq!(
        (order.variant.as_str(), order.status, order.error.as_deref()),
        ("OrderNotFound", 404, Some("order_not_found"))
    );
    let line = spec.sources[0].line_col(order.variant_loc.span.start).line;
    assert_eq!(spec.sources[0].line_text(line), "variant = \"OrderNotFound\"");
}

#[test]
fn policies_take_the_defaults_and_entries_inherit_their_status() {
    let model = check(src(GOOD)).unwrap();
    let throttled = &model.entries[2];
    assert!(throttled.is_catch_all() && throttled.takes_any);
    assert!(throttled.fields.is_empty(), "a catch-all's variant keeps its text in `text` only");
    match throttled.retry {
        Policy::Backoff(b) => assert_eq!((b.attempts, b.base_ms, b.max_ms), (4, 100, 1000)),
        other => panic!("{other:?}"),
    }
    assert!(!throttled.alert, "the entry's alert wins over the status's");
    assert_eq!(model.entries[0].retry, Policy::Never);
}

#[test]
fn model_classifies_like_the_runtime() {
    let model = check(src(GOOD)).unwrap();
    let variant = |s, e, d| model.classify(s, Some(e), d).map(|e| e.variant.as_str());
    assert_eq!(variant(404, "order_not_found", "order 12 does not exist"), Some("OrderNotFound"));
    assert_eq!(variant(404, "order_not_found", "Order 12 does not exist."), Some("OrderNotFound"));
    assert_eq!(
        variant(404, "order_not_found", "order x does not exist"),
        Some("OrderMissing"),
        "u64 must parse"
    );
    assert_eq!(variant(429, "throttled", "anything"), Some("Throttled"));
    assert_eq!(variant(400, "throttled", "anything"), None, "an undeclared pair");
    // Without `error`: the one meaning whose form matches, never a catch-all.
    let bare = |s, d| model.classify(s, None, d).map(|e| e.variant.as_str());
    assert_eq!(bare(404, "order 12 does not exist"), Some("OrderNotFound"));
    assert_eq!(bare(429, "anything"), None);
}

#[test]
fn expansion_names_the_enum_and_tracks_the_file() {
    let model = check(src(GOOD)).unwrap();
    let file: syn::File = syn::parse2(expand::expand(&model)).expect("the expansion is a Rust file");
    let code = prettyplease::unparse(&file);
    assert!(code.contains("pub enum ShopError"), "{code}");
    assert!(code.contains("order_id: u64"), "{code}");
    assert!(code.contains("include_bytes!(\"/abs/spec/shop.toml\")"), "{code}");
    // Imports are of absolute paths, inside the private `const _` block: nothing relies
    // on the caller's imports.
    let imports: Vec<&str> = code.lines().map(str::trim).filter(|l| l.starts_with("use ")).collect();
    assert_eq!(
        imports,
        ["use ::core::option::Option::{self, None, Some};", "use ::easemob_errors::__private as __p;"]
    );
    assert!(code.contains("const _: () = {\n    use ::core::option"), "{code}");
}

#[test]
fn all_problems_are_reported_at_once_with_positions() {
    let broken = GOOD
        .replace("variant = \"OrderNotFound\"", "varient = \"OrderNotFound\"")
        .replace("status = 429\n", "status = 600\n")
        .replace("base_ms = 100, max_ms = 1000", "base_ms = 100, max_ms = 10");
    let errs = errors(&broken);
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(
        errs.iter().any(|e| e.contains("unknown key `varient`") && e.contains("did you mean `variant`?"))
    );
    assert!(errs.iter().any(|e| e.contains("missing required key `variant`")), "{errs:#?}");
    assert!(errs.iter().any(|e| e.contains("`600` in [[errors]] entry `Throttled` is outside 100–599")
        && e.contains("--> spec/shop.toml:")));
    assert!(errs.iter().any(|e| e.contains("`max_ms` (10) is below `base_ms` (100)")), "{errs:#?}");
}

#[test]
fn cross_entry_rules_are_checked() {
    let dup = format!("{GOOD}{}", entry("OrderNotFound", 404, "other", "x"));
    assert!(errors(&dup).iter().any(|e| e.contains("duplicate variant name `OrderNotFound`")));
    let undeclared = GOOD.replace("status = 404\nerror", "status = 418\nerror");
    assert!(
        errors(&undeclared).iter().any(|e| e.contains("status 418 of entry `OrderNotFound` is not declared"))
    );
    let shadow = format!(
        "{GOOD}{}{}",
        entry("Any", 404, "order_not_found", "{what} does not exist"),
        entry("Late", 404, "order_not_found", "order 7 does not exist")
    );
    let errs = errors(&shadow);
    assert!(errs.iter().any(|e| e.contains("entries `Any` and `Late` cannot be told apart")), "{errs:#?}");
    // Under the tolerant rules, case, quotes, whitespace and a closing period do not count.
    let spelled = format!(
        "{GOOD}{}{}",
        entry("First", 404, "gone", "gone for {why}"),
        entry("Again", 404, "gone", "Gone  for {reason}.")
    );
    let errs = errors(&spelled);
    assert!(errs.iter().any(|e| e.contains("entries `First` and `Again` cannot be told apart")), "{errs:#?}");
    let forms = format!(
        "{GOOD}{}",
        entry("Twice", 404, "gone", "gone for {why}").replace(
            "description = \"gone for {why}\"",
            "description = [\"gone for {why}\", \"Gone for {why}!\"]",
        )
    );
    let errs = errors(&forms);
    assert!(errs.iter().any(|e| e.contains("is already matched by its description")), "{errs:#?}");
}

#[test]
fn every_pair_has_a_catch_all_and_forms_agree() {
    let no_catch_all = GOOD.replacen(
        "variant = \"OrderMissing\"",
        "variant = \"OrderMissing\"\ndescription = \"no such order\"",
        1,
    );
    let errs = errors(&no_catch_all);
    assert!(
        errs.iter().any(|e| e.contains("(status 404, error `order_not_found`) has no catch-all")
            && e.contains("variant = \"OrderNotFoundError\"")),
        "{errs:#?}"
    );
    let fields = GOOD.replace(
        "description = \"order {order_id:u64} does not exist\"",
        "description = [\"order {order_id:u64} does not exist\", \"order {id} is gone\"]",
    );
    assert!(errors(&fields).iter().any(|e| e.contains("have different placeholders")));
    let reserved = GOOD.replace("order {order_id:u64} does not exist", "order {text} does not exist");
    assert!(errors(&reserved).iter().any(|e| e.contains("placeholder `{text}`")));
    let bare = format!(
        "{GOOD}\n[[errors]]\nvariant = \"Bare\"\nstatus = 404\ncause = \"c\"\ncause_zh = \"c\"\nremedy = \"r\"\nremedy_zh = \"r\"\n"
    );
    assert!(errors(&bare).iter().any(|e| e.contains("has neither `error` nor `description`")));
    let orphan = GOOD
        .replace("alert = false", "alert = false\nwithout_error = true")
        .replace("error = \"throttled\"\n", "");
    assert!(errors(&orphan).iter().any(|e| e.contains("`without_error` in")), "{:#?}", errors(&orphan));
}

#[test]
fn errorless_forms_of_one_status_must_not_overlap() {
    let spec = format!(
        "{GOOD}{}{}",
        entry("Slow", 429, "slow", "slow down").replace("remedy_zh", "without_error = true\nremedy_zh"),
        entry("Slower", 429, "slower", "Slow down!").replace("remedy_zh", "without_error = true\nremedy_zh"),
    );
    let errs = errors(&spec);
    assert!(
        errs.iter()
            .any(|e| e
                .contains("entries `Slow` and `Slower` cannot be told apart under (status 429, no `error`)")),
        "{errs:#?}"
    );
}

#[test]
fn groups_hold_forms_in_spec_order_and_their_catch_all() {
    let spec = format!(
        "{GOOD}{}{}{}{}",
        entry("Specific", 429, "throttled", "slow down"),
        entry("Other", 404, "gone", "gone"),
        entry("Second", 404, "order_not_found", "order {what} is hidden"),
        entry("Later", 429, "throttled", "wait {secs:u64} s"),
    );
    let model = check(src(&spec)).unwrap_or_else(|r| panic!("{:#?}", r.messages));
    let name = |i: usize| model.entries[i].variant.as_str();
    // (status, `error`, the variants of its forms, its catch-all)
    type Shape<'m> = (u16, Option<&'m str>, Vec<&'m str>, Option<&'m str>);
    let groups: Vec<Shape<'_>> = model
        .groups
        .iter()
        .map(|g| {
            (
                g.status,
                g.error.as_deref(),
                g.forms.iter().map(|f| name(f.entry)).collect(),
                g.catch_all.map(name),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (404, Some("gone"), vec!["Other"], Some("Other")),
            (404, Some("order_not_found"), vec!["OrderNotFound", "Second"], Some("OrderMissing")),
            (429, Some("throttled"), vec!["Specific", "Later"], Some("Throttled")),
        ]
    );
    assert_eq!(model.classify(429, Some("throttled"), "wait 3 s").map(|e| e.variant.as_str()), Some("Later"));
    assert_eq!(
        model.classify(429, Some("throttled"), "other").map(|e| e.variant.as_str()),
        Some("Throttled")
    );
}

#[test]
fn a_large_spec_keeps_order_and_entry_numbers() {
    let mut spec = String::from(GOOD);
    for i in 0..2100 {
        spec.push_str(&entry(&format!("E{i}"), 404, &format!("e{i}"), "x"));
    }
    let model = check(src(&spec)).unwrap_or_else(|r| panic!("{:#?}", r.messages));
    let variants: Vec<&str> = model.entries.iter().map(|e| e.variant.as_str()).collect();
    let expected: Vec<String> =
        ["OrderNotFound".to_owned(), "OrderMissing".to_owned(), "Throttled".to_owned()]
            .into_iter()
            .chain((0..2100).map(|i| format!("E{i}")))
            .collect();
    assert_eq!(variants, expected);
    // An entry without a name in the second half is reported with its number.
    let broken = spec.replacen("variant = \"E2000\"\n", "", 1);
    let errs = errors(&broken);
    assert!(errs.iter().any(|e| e.contains("[[errors]] entry #2004")), "{errs:#?}");
}

#[test]
fn problems_of_every_kind_are_reported_in_the_spec_s_order() {
    let mut spec = String::from(GOOD);
    for i in 0..2100 {
        let (variant, status, error) = match i {
            5 => ("E3".to_owned(), 404, "e5".to_owned()), // duplicate name (per entry)
            10 => ("E10".to_owned(), 418, "e10".to_owned()), // undeclared status (per entry)
            2050 => ("E2050".to_owned(), 404, "e2049".to_owned()), // same as E2049 (lookup)
            _ => (format!("E{i}"), 404, format!("e{i}")),
        };
        spec.push_str(&entry(&variant, status, &error, "x"));
    }
    let errs = errors(&spec);
    let at = |needle: &str| {
        errs.iter().position(|e| e.contains(needle)).unwrap_or_else(|| panic!("no {needle:?} in {errs:#?}"))
    };
    let duplicate = at("duplicate variant name `E3`");
    let undeclared = at("status 418 of entry `E10` is not declared");
    let same = at("entries `E2049` and `E2050` cannot be told apart");
    let no_catch_all = at("(status 404, error `e2049`) has no catch-all");
    assert!(duplicate < undeclared && undeclared < no_catch_all && no_catch_all < same, "{errs:#?}");
    assert_eq!(errs.len(), 4, "{errs:#?}");
}

#[test]
fn a_broken_spec_still_yields_a_skeleton() {
    let rejected = check(src(&GOOD.replace("retry = \"never\"", "retry = \"nevr\""))).unwrap_err();
    let (messages, skeleton) = (rejected.messages, rejected.skeleton.unwrap());
    assert!(messages[0].contains("did you mean `never`?"), "{messages:#?}");
    assert_eq!(skeleton.name, "ShopError");
    assert!(skeleton.entries.is_empty());
}

#[test]
fn include_reads_files_and_directories_relative_to_the_root_file() {
    let dir = std::env::temp_dir().join(format!("easemob-include-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("parts")).unwrap();
    let (head, errors) = GOOD.split_at(GOOD.find("[[errors]]").unwrap());
    std::fs::write(dir.join("api.toml"), format!("include = [\"parts\"]\n{head}")).unwrap();
    std::fs::write(dir.join("parts/b.toml"), errors).unwrap();
    std::fs::write(dir.join("parts/a.toml"), "# nothing yet\n").unwrap();
    let sources = source::read_sources("spec/api.toml", None).err().map(|d| d.message).unwrap_or_default();
    assert!(sources.contains("cannot read spec `spec/api.toml`"), "{sources}");
    let sources = source::read_sources("api.toml", Some(&dir)).unwrap();
    let names: Vec<&str> = sources.iter().map(|s| s.display.as_str()).collect();
    assert_eq!(names, ["api.toml", "parts/a.toml", "parts/b.toml"]);
    assert_eq!(check(sources).unwrap().entries.len(), 3);
    // A file that includes itself is read twice, not forever: one [api] too many.
    std::fs::write(dir.join("api.toml"), format!("include = [\"api.toml\"]\n{head}")).unwrap();
    let rejected = check(source::read_sources("api.toml", Some(&dir)).unwrap()).unwrap_err();
    assert!(
        rejected.messages.iter().any(|m| m.contains("`[api]` is declared twice")),
        "{:?}",
        rejected.messages
    );
    std::fs::write(dir.join("api.toml"), format!("include = [\"nowhere\"]\n{head}")).unwrap();
    let err = source::read_sources("api.toml", Some(&dir)).unwrap_err();
    assert!(err.message.contains("in `include` of `api.toml`"), "{}", err.message);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_spec_formats_own_examples_are_valid_specs() {
    // The examples users copy from: spec/README.md's, and the README's WeChat and Google specs.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (file, start) in [
        ("spec/README.md", "```toml\n"),
        ("README.md", "```toml\n[api]\nname = \"WechatError\""),
        ("README.md", "```toml\n[api]\nname = \"GoogleError\""),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let at = text.find(start).unwrap_or_else(|| panic!("no example in {file}")) + "```toml\n".len();
        let example = &text[at..at + text[at..].find("```").unwrap()];
        let model = check(src(example)).unwrap_or_else(|r| panic!("{file}: {:#?}", r.messages));
        assert!(!model.entries.is_empty(), "{file}");
    }
}

#[test]
fn a_prefix_template_leaves_a_placeholder_for_the_rest() {
    let description = "a {a} b {b} c {c} d {d} e {e} f {f} g {g} h {h} end";
    let spec = format!("{GOOD}{}prefix = true\n", entry("Long", 404, "long", description));
    let messages = errors(&spec);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("prefix entry `Long` has 8 placeholders") && m.contains("at most 7")),
        "{messages:#?}"
    );
    let seven = "a {a} b {b} c {c} d {d} e {e} f {f} g {g} end";
    let spec = format!("{GOOD}{}prefix = true\n", entry("Long", 404, "long", seven));
    let messages = errors(&spec);
    assert!(!messages.iter().any(|m| m.contains("placeholders")), "{messages:#?}");
}

#[test]
fn every_item_of_a_list_key_is_checked() {
    let spec = GOOD.replace(
        "description = \"order {order_id:u64} does not exist\"",
        "description = [\"order {order_id\", 3]",
    );
    let messages = errors(&spec);
    assert!(messages.iter().any(|m| m.contains("unclosed `{`")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("wrong type for `description`")), "{messages:#?}");

    let spec = format!("{GOOD}\n[body]\ncode = [\"error..x\", 3]\nmessage = \"error_description\"\n");
    let messages = errors(&spec);
    assert!(messages.iter().any(|m| m.contains("path `error..x` of `code` in [body]")), "{messages:#?}");
    assert!(
        messages.iter().any(|m| m.contains("wrong type for `code` in [body]: expected a path such as")),
        "{messages:#?}"
    );
}

#[test]
fn errorless_forms_of_two_meanings_may_not_overlap() {
    let without_error = |variant: &str, description: &str| {
        format!(
            "\n[[errors]]\nvariant = \"{variant}\"\nstatus = 404\ndescription = \"{description}\"\n\
             cause = \"c\"\ncause_zh = \"c\"\nremedy = \"r\"\nremedy_zh = \"r\"\n"
        )
    };
    let overlapping = format!(
        "{GOOD}{}{}",
        without_error("UserGone", "user {name} is gone"),
        without_error("Gone", "{what} is gone.")
    );
    let messages = errors(&overlapping);
    assert!(
        messages.iter().any(|m| m.contains("entries `UserGone` and `Gone` cannot be told apart under (status 404, no `error`): some descriptions match both")),
        "{messages:#?}"
    );
    let disjoint = format!(
        "{GOOD}{}{}",
        without_error("UserGone", "user {name} is gone"),
        without_error("GroupGone", "group {name} is gone")
    );
    assert_eq!(errors(&disjoint), Vec::<String>::new());
    // With a code the order decides, as documented: the later, wider form is kept.
    let with_code = format!(
        "{GOOD}{}{}",
        entry("UserGone", 404, "gone", "user {name} is gone"),
        entry("Gone", 404, "gone", "{what} is gone")
    );
    let messages = errors(&with_code);
    assert!(!messages.iter().any(|m| m.contains("cannot be told apart")), "{messages:#?}");
}

#[test]
fn the_missing_catch_all_help_names_a_free_variant() {
    let spec = format!("{GOOD}{}", entry("ItemNotFound", 404, "item_not_found", "item {id} not found"));
    let messages = errors(&spec);
    let help =
        messages.iter().find(|m| m.contains("has no catch-all")).unwrap_or_else(|| panic!("{messages:#?}"));
    assert!(help.contains("`variant = \"ItemNotFoundError\"`"), "{help}");
}
