//! Tests only: a throwaway OpenLDAP `slapd` of the test's own, from the machine's Debian
//! packages (`slapd`, `ldap-utils`; `./sspr.sh test` installs them): a generated
//! `slapd.conf` with the ppolicy overlay (minimum length 12, a history of 3) and an
//! access list that gives the service account write access to passwords and no more,
//! a seeded tree loaded with `slapadd`, then `slapd` in the foreground on a free loopback
//! port. A watchdog shell stops it when the test process ends, however it ends; dropping
//! the [`Slapd`] stops it and deletes its folder.
//!
//! A module of the server's integration tests, and compiled through `#[path]` into the
//! app's end-to-end tests: one copy.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BASE: &str = "dc=example,dc=org";
pub const SERVICE_DN: &str = "cn=sspr,ou=services,dc=example,dc=org";
const SERVICE_PASSWORD: &str = "service account secret";
const ROOT_PASSWORD: &str = "root secret";

/// The people of the seeded tree: (uid, password).
pub const LENA: (&str, &str) = ("lena", "quiet river stones");
pub const OMAR: (&str, &str) = ("omar", "copper kettle morning");
/// In `sspr-admins` too.
pub const ADA: (&str, &str) = ("ada", "violet engine nine");
/// Locked for good by an administrator (disabled).
pub const DAN: (&str, &str) = ("dan", "paper lantern west");
/// In no group: out of scope when the policy names `sspr-users`.
pub const OTTO: (&str, &str) = ("otto", "winter orchard gate");
/// Locked out after failed binds.
pub const LOU: (&str, &str) = ("lou", "silver tram seven");

pub fn person_dn(uid: &str) -> String {
    format!("uid={uid},ou=people,{BASE}")
}

fn seed() -> String {
    let person = |uid: &str, name: &str, password: &str, extra: &str| {
        format!(
            "dn: uid={uid},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\n\
             sn: {name}\nmail: {uid}@example.org\nuserPassword: {password}\n{extra}\n"
        )
    };
    let mut ldif = format!(
        "dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n\
         dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: ou=groups,{BASE}\nobjectClass: organizationalUnit\nou: groups\n\n\
         dn: ou=services,{BASE}\nobjectClass: organizationalUnit\nou: services\n\n\
         dn: ou=policies,{BASE}\nobjectClass: organizationalUnit\nou: policies\n\n\
         dn: cn=default,ou=policies,{BASE}\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\n\
         cn: default\npwdAttribute: userPassword\npwdMinLength: 12\npwdInHistory: 3\n\
         pwdCheckQuality: 2\npwdMaxFailure: 3\npwdLockout: TRUE\npwdMustChange: TRUE\n\n\
         dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n\
         cn: sspr\nuserPassword: {SERVICE_PASSWORD}\n\n"
    );
    ldif += &person(LENA.0, "Lena Fischer", LENA.1, "pwdReset: TRUE\n");
    ldif += &person(OMAR.0, "Omar Haddad", OMAR.1, "");
    ldif += &person(ADA.0, "Ada Lovelace", ADA.1, "");
    ldif += &person(
        DAN.0,
        "Dan Left",
        DAN.1,
        "pwdAccountLockedTime: 000001010000Z\n",
    );
    ldif += &person(OTTO.0, "Otto Outside", OTTO.1, "");
    ldif += &person(
        LOU.0,
        "Lou Locked",
        LOU.1,
        "pwdAccountLockedTime: 20260101000000Z\n",
    );
    let members = |uids: &[&str]| {
        uids.iter()
            .map(|uid| format!("member: {}\n", person_dn(uid)))
            .collect::<String>()
    };
    ldif += &format!(
        "dn: cn=sspr-users,ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: sspr-users\n{}\n",
        members(&[LENA.0, OMAR.0, ADA.0, DAN.0, LOU.0])
    );
    ldif += &format!(
        "dn: cn=sspr-admins,ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: sspr-admins\n{}\n",
        members(&[ADA.0])
    );
    ldif
}

fn slapd_conf(root: &Path) -> String {
    let schema = "/etc/ldap/schema";
    format!(
        "include {schema}/core.schema\ninclude {schema}/cosine.schema\n\
         include {schema}/inetorgperson.schema\ninclude {schema}/nis.schema\n\
         modulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload ppolicy\nmoduleload refint\n\
         pidfile {root}/slapd.pid\n\
         database mdb\nmaxsize 104857600\nsuffix \"{BASE}\"\n\
         rootdn \"cn=admin,{BASE}\"\nrootpw \"{ROOT_PASSWORD}\"\ndirectory {root}/db\n\
         overlay refint\nrefint_attributes member\n\
         overlay ppolicy\nppolicy_default \"cn=default,ou=policies,{BASE}\"\nppolicy_use_lockout\n\
         access to attrs=userPassword\n  by dn.exact=\"{SERVICE_DN}\" write\n  by self write\n\
         \x20 by anonymous auth\n  by * none\n\
         access to attrs=pwdReset,pwdAccountLockedTime\n  by dn.exact=\"{SERVICE_DN}\" write\n\
         \x20 by * read\n\
         access to *\n  by dn.exact=\"{SERVICE_DN}\" read\n  by self read\n  by * none\n",
        root = root.display()
    )
}

/// A running slapd of one test.
pub struct Slapd {
    root: PathBuf,
    port: u16,
    slapd: PathBuf,
}

impl Slapd {
    /// Starts a slapd on the seeded tree.
    pub fn start() -> Slapd {
        let slapd = program("slapd");
        let slapadd = program("slapadd");
        let root = tempfile::Builder::new()
            .prefix("sspr-slapd-")
            .tempdir()
            .expect("temp dir for slapd")
            .keep();
        std::fs::create_dir_all(root.join("db")).expect("slapd db folder");
        std::fs::write(root.join("slapd.conf"), slapd_conf(&root)).expect("slapd.conf");
        std::fs::write(root.join("seed.ldif"), seed()).expect("seed.ldif");
        std::fs::write(
            root.join("service-password"),
            format!("{SERVICE_PASSWORD}\n"),
        )
        .expect("password file");
        let added = Command::new(&slapadd)
            .arg("-f")
            .arg(root.join("slapd.conf"))
            .arg("-l")
            .arg(root.join("seed.ldif"))
            .output()
            .expect("slapadd runs");
        assert!(
            added.status.success(),
            "slapadd failed: {}",
            String::from_utf8_lossy(&added.stderr)
        );
        let mut server = Slapd {
            root,
            port: 0,
            slapd,
        };
        server.run();
        server
    }

    fn run(&mut self) {
        let port = if self.port == 0 {
            free_port()
        } else {
            self.port
        };
        self.port = port;
        // In the foreground (-d 0) under a watchdog that stops it once this process ends.
        let script = format!(
            "{slapd} -d 0 -f {conf} -h ldap://127.0.0.1:{port}/ >>{log} 2>&1 & s=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 1; done; \
             kill $s 2>/dev/null",
            slapd = quote(&self.slapd.display().to_string()),
            conf = quote(&self.root.join("slapd.conf").display().to_string()),
            log = quote(&self.root.join("log").display().to_string()),
            parent = std::process::id(),
        );
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the slapd watchdog starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "slapd did not start: {}",
                std::fs::read_to_string(self.root.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops slapd (the directory is down), keeping its data.
    pub fn stop(&self) {
        if let Ok(pid) = std::fs::read_to_string(self.root.join("slapd.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "slapd did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        // slapd removes its pid file on a clean stop; wait for it so a restart is clean.
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.root.join("slapd.pid").exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) {
        self.run();
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    /// The `[directory]` table of a configuration file for this server.
    pub fn config_toml(&self) -> String {
        format!(
            "[directory]\nkind = \"ldap\"\nurl = \"{}\"\nbind_dn = \"{SERVICE_DN}\"\n\
             bind_password_file = \"{}\"\nbase_dn = \"ou=people,{BASE}\"\n\
             group_base_dn = \"ou=groups,{BASE}\"\nadmin_groups = [\"sspr-admins\"]\n\
             timeout_seconds = 3\n",
            self.url(),
            self.root.join("service-password").display()
        )
    }

    /// Whether a simple bind as `dn` with `password` succeeds (ldapwhoami).
    pub fn binds(&self, dn: &str, password: &str) -> bool {
        Command::new(program("ldapwhoami"))
            .args(["-x", "-H", &self.url(), "-D", dn, "-w", password])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("ldapwhoami runs")
            .success()
    }

    /// Runs an LDIF change as the directory's root (ldapmodify), as its administrators do.
    pub fn modify(&self, ldif: &str) {
        use std::io::Write;
        let mut child = Command::new(program("ldapmodify"))
            .args(["-x", "-H", &self.url(), "-D", &format!("cn=admin,{BASE}")])
            .args(["-w", ROOT_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ldapmodify runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(ldif.as_bytes())
            .expect("ldif written");
        let out = child.wait_with_output().expect("ldapmodify ends");
        assert!(
            out.status.success(),
            "ldapmodify failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Disables a person as an administrator does with ppolicy: locked for good.
    pub fn disable(&self, uid: &str) {
        self.modify(&format!(
            "dn: {}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n",
            person_dn(uid)
        ));
    }

    /// Takes a person out of `sspr-users` (the policy's group in the tests).
    pub fn leave_group(&self, uid: &str) {
        self.modify(&format!(
            "dn: cn=sspr-users,ou=groups,{BASE}\nchangetype: modify\ndelete: member\nmember: {}\n",
            person_dn(uid)
        ));
    }

    /// Renames a person (a new uid, the same entry and entryUUID), as an administrator
    /// does, and waits for the refint overlay to rename them in their groups (it does so
    /// in the background).
    pub fn rename(&self, uid: &str, new_uid: &str) {
        self.modify(&format!(
            "dn: {}\nchangetype: modrdn\nnewrdn: uid={new_uid}\ndeleteoldrdn: 1\n",
            person_dn(uid)
        ));
        let group = format!("cn=sspr-users,ou=groups,{BASE}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.read(&group, "member").contains(&person_dn(new_uid)) {
            assert!(
                Instant::now() < deadline,
                "refint did not rename {uid} in {group}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The values of `attribute` of `dn`, read as the directory's root (ldapsearch).
    pub fn read(&self, dn: &str, attribute: &str) -> Vec<String> {
        let out = Command::new(program("ldapsearch"))
            .args(["-x", "-LLL", "-o", "ldif-wrap=no", "-H", &self.url()])
            .args(["-D", &format!("cn=admin,{BASE}"), "-w", ROOT_PASSWORD])
            .args(["-b", dn, "-s", "base", "(objectClass=*)", attribute])
            .output()
            .expect("ldapsearch runs");
        let prefix = format!("{}: ", attribute.to_ascii_lowercase());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|line| line.to_ascii_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].to_owned())
            .collect()
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A program of the slapd / ldap-utils packages: on PATH, or in /usr/sbin.
fn program(name: &str) -> PathBuf {
    for dir in std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .chain(["/usr/sbin", "/usr/bin"])
    {
        let path = Path::new(dir).join(name);
        if path.is_file() {
            return path;
        }
    }
    panic!("{name} is missing: install Debian's slapd and ldap-utils (./sspr.sh test does)");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
