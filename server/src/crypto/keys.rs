//! Server keys. One 256-bit master secret, kept in a file (by default beside the database;
//! created on first start, readable by the owner only, refused when others may read it),
//! from which each purpose derives its own key with HMAC-SHA-256, so a key never serves
//! two purposes.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;

/// A purpose's key.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl Key {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// HMAC-SHA-256 of `data` under this key.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = mac_with(&self.0);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Constant-time check that `tag` is the HMAC of `data`.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        let mut mac = mac_with(&self.0);
        mac.update(data);
        mac.verify_slice(tag).is_ok()
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

fn mac_with(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// The keys the server uses, one per purpose.
#[derive(Clone, Debug)]
pub struct ServerKeys {
    /// Keyed hashes of one-time codes.
    pub codes: Key,
    /// Signatures of CAPTCHA challenges.
    pub captcha: Key,
    /// Decoy flows for unknown users (stable per user ID).
    pub decoy: Key,
    /// Encryption of TOTP secrets at rest.
    pub totp_secrets: Key,
    /// Keyed hashes of security-question answers.
    pub answers: Key,
    /// Encryption of queued messages (they may carry codes) at rest.
    pub outbox: Key,
    /// Seed of the Web Push (VAPID) signing key, see `push::vapid`.
    pub vapid: Key,
}

impl ServerKeys {
    pub fn derive(master: &[u8; 32]) -> ServerKeys {
        let derive = |label: &str| Key(Key(*master).mac(label.as_bytes()));
        ServerKeys {
            codes: derive("sspr/v1/codes"),
            captcha: derive("sspr/v1/captcha"),
            decoy: derive("sspr/v1/decoy"),
            totp_secrets: derive("sspr/v1/totp-secrets"),
            answers: derive("sspr/v1/answers"),
            outbox: derive("sspr/v1/outbox"),
            vapid: derive("sspr/v1/vapid"),
        }
    }

    /// Fresh random keys (tests, or a server that must not persist anything).
    pub fn ephemeral() -> ServerKeys {
        ServerKeys::derive(&super::random_bytes::<32>())
    }

    /// Loads the master secret from `path`, creating it (mode 0600) when missing. A key
    /// file that other accounts may read or write is refused (Unix).
    pub fn load_or_create(path: &Path) -> Result<ServerKeys, KeyFileError> {
        match read_private(path) {
            Ok(bytes) => {
                let master: [u8; 32] =
                    bytes
                        .try_into()
                        .map_err(|bytes: Vec<u8>| KeyFileError::Corrupt {
                            path: path.to_owned(),
                            length: bytes.len(),
                        })?;
                Ok(ServerKeys::derive(&master))
            }
            Err(ReadError::OpenToOthers(mode)) => Err(KeyFileError::OpenToOthers {
                path: path.to_owned(),
                mode,
            }),
            Err(ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
                let master = super::random_bytes::<32>();
                write_private(path, &master).map_err(|source| KeyFileError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                tracing::info!(path = %path.display(), "created the server's master key");
                Ok(ServerKeys::derive(&master))
            }
            Err(ReadError::Io(source)) => Err(KeyFileError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }
}

enum ReadError {
    Io(std::io::Error),
    OpenToOthers(u32),
}

/// The file's bytes, provided only its owner may read or write it.
fn read_private(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if let Some(mode) = crate::private_files::open_to_others(&metadata) {
        return Err(ReadError::OpenToOthers(mode));
    }
    let mut bytes = Vec::with_capacity(32);
    file.read_to_end(&mut bytes).map_err(ReadError::Io)?;
    Ok(bytes)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_files::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read or create the key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the key file {path} holds {length} bytes, not 32: restore it from a backup (replacing it invalidates codes, CAPTCHAs and TOTP secrets)"
    )]
    Corrupt { path: PathBuf, length: usize },
    #[error(
        "the key file {path} can be read or written by other accounts (mode {mode:o}): run `chmod 600 {path}` and check that only the server's account owns it (anyone who could read it can forge CAPTCHAs and, with a copy of the database, attack sealed secrets offline)"
    )]
    OpenToOthers { path: PathBuf, mode: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_get_different_keys() {
        let keys = ServerKeys::derive(&[7; 32]);
        let all = [
            &keys.codes,
            &keys.captcha,
            &keys.decoy,
            &keys.totp_secrets,
            &keys.vapid,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.bytes(), b.bytes());
            }
        }
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/sspr.key");
        let first = ServerKeys::load_or_create(&path).unwrap();
        let second = ServerKeys::load_or_create(&path).unwrap();
        assert_eq!(first.codes.bytes(), second.codes.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_truncated_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sspr.key");
        std::fs::write(&path, [1, 2, 3]).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let err = ServerKeys::load_or_create(&path).unwrap_err();
        assert!(matches!(err, KeyFileError::Corrupt { length: 3, .. }));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused_with_the_chmod_to_run() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sspr.key");
        std::fs::write(&path, [7; 32]).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = ServerKeys::load_or_create(&path).unwrap_err();
            assert!(
                matches!(err, KeyFileError::OpenToOthers { .. }),
                "{mode:o}: {err}"
            );
            assert!(
                err.to_string()
                    .contains(&format!("chmod 600 {}", path.display())),
                "{err}"
            );
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        ServerKeys::load_or_create(&path).unwrap();
    }

    #[test]
    fn mac_verifies_and_rejects_tampering() {
        let key = ServerKeys::ephemeral().codes;
        let tag = key.mac(b"123456");
        assert!(key.verify(b"123456", &tag));
        assert!(!key.verify(b"123457", &tag));
        assert!(!key.verify(b"123456", &tag[..31]));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let keys = ServerKeys::ephemeral();
        assert!(!format!("{keys:?}").contains(&format!("{:?}", keys.codes.bytes())));
    }
}
