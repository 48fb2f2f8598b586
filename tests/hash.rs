//! The macro builds the group hash table with `easemob_errors_impl::expand::group_hash`;
//! the runtime probes it with `easemob_errors::__private::group_hash`. They are two
//! copies (the runtime cannot depend on the macro's crate): they must agree everywhere.

use easemob_errors::__private::group_hash as runtime;
use easemob_errors_impl::expand::group_hash as macro_side;

#[test]
fn macro_and_runtime_hash_alike() {
    let codes = [
        "",
        "a",
        "reach_limit",
        "illegal_argument",
        "Request Entity Too Large",
        "请求路径不存在",
        "exactly8",
        "nine_char",
    ];
    for status in [0u16, 400, 401, 429, 503, 599, u16::MAX] {
        assert_eq!(runtime(status, None), macro_side(status, None));
        for code in codes {
            assert_eq!(runtime(status, Some(code)), macro_side(status, Some(code)), "{status} {code:?}");
        }
    }
    for entry in easemob_errors::EasemobError::catalog() {
        assert_eq!(runtime(entry.status(), entry.code()), macro_side(entry.status(), entry.code()));
    }
    assert_ne!(runtime(400, None), runtime(400, Some("")), "an absent code and an empty one differ");
}
