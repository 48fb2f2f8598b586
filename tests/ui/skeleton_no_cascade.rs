//! A broken spec still yields the enum and its methods, so code that uses them shows
//! no follow-on errors: only the spec's own.

easemob_errors::include_errors!("tests/ui/specs/skeleton_no_cascade.toml");

fn main() {
    let err = ApiError::from_response(404, b"{}");
    println!("{err} {} {:?}", err.status(), err.retry());
    let _ = ApiError::catalog().len();
}
