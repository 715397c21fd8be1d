//! A file written so that nothing the user had is lost, whatever happens meanwhile.
//!
//! The bytes go to a temporary file beside the target, which is flushed to disk and then renamed
//! over the target: a crash, a kill or a full disk leaves either the old file or the new one,
//! never half of one. A symbolic link stays a link (the file it names is replaced), the file
//! keeps its permissions, and the folder is synced so the rename itself survives a power cut.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The temporary file a save of `target` writes first: hidden, in the same folder (so the
/// rename stays on one file system), one per target, so an interrupted save leaves at most
/// one behind and the next save replaces it.
pub fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.nanograd-tmp"))
}

/// Replaces the file at `path` (or creates it) with `bytes`, atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_links(path)?;
    let permissions = fs::metadata(&target).ok().map(|meta| meta.permissions());
    let temporary = temporary_path(&target);
    let mut file = create_temporary(&temporary)?;
    let result = (|| {
        file.write_all(bytes)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, &target)?;
        sync_folder(&target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// The file a chain of symbolic links ends at (which may not exist yet), or `path` itself.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut target = path.to_path_buf();
    // More links than this in a row is a loop.
    for _ in 0..40 {
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&target)?;
                target = match target.parent() {
                    Some(folder) if link.is_relative() => folder.join(link),
                    _ => link,
                };
            }
            _ => return Ok(target),
        }
    }
    Err(io::Error::other(format!(
        "{} is a loop of symbolic links",
        path.display()
    )))
}

/// Opens the temporary file for this save alone. The save holds a lock on it while it writes:
/// the system drops a lock when its process ends, however it ends, so a file left behind by an
/// interrupted save is simply reused, while one that another save is writing right now is not.
fn create_temporary(temporary: &Path) -> io::Result<fs::File> {
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(temporary)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "another save of this file is in progress; try again in a moment",
            ));
        }
        Err(fs::TryLockError::Error(err)) => return Err(err),
    }
    // Only now, with the lock held: what an interrupted save left is cut away.
    file.set_len(0)?;
    Ok(file)
}

#[cfg(unix)]
fn sync_folder(path: &Path) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::File::open(folder)?.sync_all()
}

/// Windows has no handle to sync a folder with; its rename is already durable enough.
#[cfg(not(unix))]
fn sync_folder(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(test: &str) -> PathBuf {
        let folder =
            std::env::temp_dir().join(format!("nanograd-atomic-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&folder);
        fs::create_dir_all(&folder).expect("scratch folder");
        folder
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let folder = scratch("replace");
        let path = folder.join("w.safetensors");
        fs::write(&path, b"old").expect("write");
        write_atomically(&path, b"new").expect("saved");
        assert_eq!(fs::read(&path).expect("read"), b"new");
        let names: Vec<_> = fs::read_dir(&folder)
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("w.safetensors")]);
        let _ = fs::remove_dir_all(folder);
    }

    #[test]
    fn a_leftover_temporary_file_is_replaced_but_one_being_written_is_respected() {
        let folder = scratch("leftover");
        let path = folder.join("w.safetensors");
        let temporary = temporary_path(&path);
        fs::write(&temporary, b"half a file, longer than the new one").expect("write");
        // Another save holds it: refused, nothing touched.
        let other = fs::File::options()
            .write(true)
            .open(&temporary)
            .expect("open");
        other.lock().expect("locked");
        let err = write_atomically(&path, b"new").expect_err("refused");
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(!path.exists());
        // Left over by an interrupted save (no lock): reused, cut to size, renamed.
        drop(other);
        write_atomically(&path, b"new").expect("saved");
        assert_eq!(fs::read(&path).expect("read"), b"new");
        assert!(!temporary.exists());
        let _ = fs::remove_dir_all(folder);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_stays_a_link_and_the_permissions_stay() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let folder = scratch("link");
        let real = folder.join("real.safetensors");
        fs::write(&real, b"old").expect("write");
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = folder.join("link.safetensors");
        symlink("real.safetensors", &link).expect("symlink");
        write_atomically(&link, b"new").expect("saved");
        assert!(
            fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).expect("read"), b"new");
        let mode = fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let _ = fs::remove_dir_all(folder);
    }
}
