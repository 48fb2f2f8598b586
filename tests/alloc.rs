//! Classifying a known error without captured values allocates nothing when its text
//! is a declared form byte for byte; otherwise it allocates the values and the text.
// A counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to
// `System` and counts, on the calling thread.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use easemob_errors::EasemobError;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (ALLOCATIONS.with(Cell::get) - before, value)
}

#[test]
fn known_errors_without_captures_allocate_nothing() {
    let bodies: [(u16, &[u8]); 4] = [
        (429, br#"{"error":"reach_limit","exception":"x.Y","timestamp":1542350000000,"duration":0,"error_description":"This request has reached api limit"}"#),
        (401, br#"{"error_description":"Unable to authenticate due to expired access token","timestamp":1}"#),
        (413, br#"{"error":"Request Entity Too Large","error_description":"Request Entity Too Large","extra":[1,{"a":null}]}"#),
        (400, br#"{"error":"invalid_grant","error_description":"invalid username or password"}"#),
    ];
    for (status, body) in bodies {
        let (n, e) = allocations_during(|| EasemobError::from_response(status, body));
        assert!(e.is_known(), "{e:?}");
        assert_eq!(n, 0, "{e:?} allocated {n} times");
    }
}

#[test]
fn captured_values_allocate_only_themselves_and_the_text() {
    let body = br#"{"error":"illegal_argument","error_description":"group member alice doesn't exist"}"#;
    let (n, e) = allocations_during(|| EasemobError::from_response(400, body));
    let text = "group member alice doesn't exist".into();
    assert_eq!(e, EasemobError::GroupMemberNotFound { username: "alice".into(), text });
    assert_eq!(n, 2, "one String for `username`, one for the text it was found in");
}

#[test]
fn a_text_that_differs_from_its_form_allocates_only_its_copy() {
    let body = br#"{"error":"reach_limit","error_description":"This request has reached API limit!"}"#;
    let (n, e) = allocations_during(|| EasemobError::from_response(429, body));
    assert!(matches!(e, EasemobError::ReachLimit { .. }), "{e:?}");
    assert_eq!(n, 1, "the server's own words are kept");
}
