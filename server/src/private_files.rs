//! Files and folders that only the server's own account may open: the database (with its
//! `-wal` and `-shm` files, which SQLite creates with the database file's mode), its folder
//! and the key file. Unix permissions; elsewhere the platform's defaults apply.

use std::io;
use std::path::Path;

/// Creates `dir` and any missing parents with mode 0700. Folders that already exist keep
/// their mode (an administrator may have chosen it).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` empty with mode 0600 unless it exists; returns whether it was created.
pub fn create_file_if_missing(path: &Path) -> io::Result<bool> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(err),
    }
}

/// The permission bits of a file that its group or other users may read or write, or
/// `None` when only its owner may.
#[cfg(unix)]
pub fn open_to_others(metadata: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    (mode & 0o066 != 0).then_some(mode)
}

/// Other platforms: permissions are the platform's (ACLs), not checked here.
#[cfg(not(unix))]
pub fn open_to_others(_metadata: &std::fs::Metadata) -> Option<u32> {
    None
}
