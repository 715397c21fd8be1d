//! Writing the user's files safely: whole or not at all, through links, keeping permissions.

mod atomic_write;

pub use atomic_write::{temporary_path, write_atomically};
