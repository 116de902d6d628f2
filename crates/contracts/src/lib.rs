//! The mesh's event contract in Rust: one type per JSON Schema in `schemas/`, with its subject.
