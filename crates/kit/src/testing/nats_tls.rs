//! The secured NATS configuration for tests: the development passwords of its users, and TLS with
//! certificates made on the spot.

use std::{path::PathBuf, process::Command};

/// The development password of a NATS user of the generated accounts:
/// `infra/nats/passwords.conf` holds the bcrypt hashes of `dev-<user>`.
pub fn dev_password(user: &str) -> String {
    format!("dev-{user}")
}

/// The repository's `infra/nats` (the generated accounts, the server configurations).
pub fn infra_nats() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/nats")
}

/// A copy of the repository's `infra/nats` with throw-away certificates (a CA, the server's for
/// 127.0.0.1 and localhost, a client's) made by `openssl` in place of the cluster's
/// `/etc/nats/tls/`: `nats-server -c <path("nats-server-tls.conf")>` runs the secured
/// configuration with TLS.
pub struct NatsTls {
    dir: tempfile::TempDir,
}

impl NatsTls {
    /// Makes the copy and the certificates; panics if `openssl` fails.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(infra_nats()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // streams/: the operators' stream files, not server configuration.
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .replace("/etc/nats/tls/", &format!("{}/", dir.path().display()));
            std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
        }
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=mesh test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ]);
        // Version 3 certificates (extensions), as webpki requires.
        std::fs::write(
            dir.path().join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("client.ext"),
            "extendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        for (name, ext) in [("tls", "server.ext"), ("client", "client.ext")] {
            run(&[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                &format!("/CN={name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
            ]);
            let csr = format!("{name}.csr");
            let mut args = vec![
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-out",
            ];
            let out = format!("{name}.crt");
            args.push(&out);
            args.extend(["-extfile", ext]);
            run(&args);
        }
        Self { dir }
    }

    /// The folder of the copy, holding the certificates.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A file of the copy: a configuration, `ca.crt`, `client.crt`, `client.key`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Default for NatsTls {
    fn default() -> Self {
        Self::new()
    }
}
