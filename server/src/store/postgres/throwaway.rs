//! Tests only: a throwaway PostgreSQL server for this test process, started on first use from the
//! machine's own PostgreSQL programs (Debian's `postgresql` package; `./sspr.sh test`
//! installs it): `initdb` in a temp dir, then `postgres` on a free loopback port with
//! durability off (nothing here must survive a crash). A watchdog shell stops it and
//! deletes its folder when this process ends, however it ends.
//!
//! `initdb` refuses to run as root, and CI runs as root: there the server runs as
//! `nobody` (through `setpriv`, which keeps the process tree simple).
//!
//! Each test takes a database of its own ([`Cluster::fresh_database`]), so tests run in
//! parallel as they do on SQLite.
//!
//! Compiled into the backend's own unit tests (`cfg(test)`) and, through `#[path]`, into
//! the server's integration tests (`server/tests/integration/main.rs`): one copy.

// The backend's unit tests and the integration tests each use part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub(crate) struct Cluster {
    bin: PathBuf,
    port: u16,
}

/// The process's cluster, started the first time a test asks.
pub(crate) fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(Cluster::start)
}

impl Cluster {
    fn start() -> Cluster {
        let bin = bin_dir();
        let root = tempfile::Builder::new()
            .prefix("sspr-pg-")
            .tempdir()
            .unwrap()
            .keep();
        let data = root.join("data");
        let as_root = is_root();
        if as_root {
            run(Command::new("chown").arg("nobody").arg(&root));
        }
        let mut initdb = unprivileged(&bin.join("initdb"), as_root);
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "sspr", "--auth=trust", "--no-sync", "-E", "UTF8"])
            .args(["--locale=C"]);
        run(&mut initdb);

        let port = free_port();
        let mut postgres = unprivileged(&bin.join("postgres"), as_root);
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&root)
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=400"]);
        // The watchdog: PostgreSQL in the background, stopped (fast shutdown) and its
        // folder removed once this test process is gone.
        let script = format!(
            "{server} >{log} 2>&1 & pg=$!; \
             while kill -0 {parent} 2>/dev/null; do sleep 1; done; \
             kill -INT $pg; wait $pg; rm -rf {root}",
            server = shell_words(&postgres),
            log = quote(&root.join("log").display().to_string()),
            parent = std::process::id(),
            root = quote(&root.display().to_string()),
        );
        // Not waited for: the watchdog is meant to outlive this process.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let cluster = Cluster { bin, port };
        cluster.wait_until_ready(&root);
        cluster
    }

    fn wait_until_ready(&self, root: &Path) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
                .status()
                .is_ok_and(|status| status.success());
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(root.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new, empty database; its URL.
    pub(crate) fn fresh_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        run(Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "sspr",
            ])
            .arg(&name));
        self.url(&name)
    }

    pub(crate) fn url(&self, database: &str) -> String {
        format!("postgres://sspr@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs `sql` on the database at `url` with `psql`; each row's values as text (NULL
    /// as "", BYTEA as lowercase hex).
    pub(crate) fn psql(&self, url: &str, sql: &str) -> Vec<Vec<String>> {
        let output = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-F",
                "\u{1f}",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .args(["-c", sql, url])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "psql failed on {sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|line| !line.is_empty())
            .map(|line| {
                line.split('\u{1f}')
                    .map(|value| value.strip_prefix("\\x").unwrap_or(value).to_owned())
                    .collect()
            })
            .collect()
    }

    /// Everything the database at `url` holds, as text (`pg_dump --data-only`).
    pub(crate) fn dump(&self, url: &str) -> Vec<u8> {
        let output = Command::new(self.bin.join("pg_dump"))
            .args(["--data-only", "--dbname", url])
            .output()
            .unwrap();
        assert!(output.status.success(), "pg_dump failed: {output:?}");
        output.stdout
    }
}

/// PostgreSQL's programs: `SSPR_PG_BIN`, else the folder of `initdb` on PATH, else
/// Debian's newest `/usr/lib/postgresql/<version>/bin`.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SSPR_PG_BIN") {
        return PathBuf::from(dir);
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_isready").is_file())
    });
    if let Some(dir) = on_path {
        return dir;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server programs are missing: install Debian's postgresql package \
             (./sspr.sh test does), or set SSPR_PG_BIN to the folder holding initdb"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// `program`, run as `nobody` when this process is root.
fn unprivileged(program: &Path, as_root: bool) -> Command {
    if as_root {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A port free on loopback now (another process may take it before it is used).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn shell_words(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|word| quote(&word.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}
