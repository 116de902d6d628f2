//! Nothing to run: this crate holds the tests in `tests/` that read the services' source tree and
//! fail when a module reaches where its layer must not (see docs/architecture.md).
