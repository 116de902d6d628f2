//! Where the partners' example programs are and how to run them (the tests of this crate and the
//! e2e suite run them against the secured configuration, as an agency would).

/// The Python examples under examples/partners/python.
pub fn python_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/partners/python")
}

/// A Python with the examples' requirements (nats-py, pinned): `PARTNER_PYTHON`, or a virtualenv
/// under ~/.cache/minzheng made once from requirements.txt. For tests: panics when it cannot.
pub fn python() -> std::path::PathBuf {
    if let Ok(python) = std::env::var("PARTNER_PYTHON") {
        return python.into();
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cache")
        });
    let venv = cache.join("minzheng/partners-venv");
    // Test processes run side by side: one makes the virtualenv while the others wait.
    std::fs::create_dir_all(cache.join("minzheng")).unwrap();
    let lock = std::fs::File::create(cache.join("minzheng/partners-venv.lock")).unwrap();
    lock.lock().unwrap();
    let python = venv.join("bin/python");
    let requirements = python_dir().join("requirements.txt");
    let ready = venv.join("requirements.txt");
    if std::fs::read(&ready).ok() != std::fs::read(&requirements).ok() {
        let run = |program: &std::path::Path, args: &[&str]| {
            let out = std::process::Command::new(program)
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{} {args:?}: {}",
                program.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(
            std::path::Path::new("python3"),
            &["-m", "venv", venv.to_str().unwrap()],
        );
        run(
            &python,
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "-r",
                requirements.to_str().unwrap(),
            ],
        );
        std::fs::copy(&requirements, &ready).unwrap();
    }
    python
}
