//! scratch
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let sources = easemob_errors_impl::spec::read_sources(&path, None).ok().unwrap();
    let model = easemob_errors_impl::check(sources).ok().unwrap();
    print!("{}", easemob_errors_impl::expand::expand_and_release(model));
}
