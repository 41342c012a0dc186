//! The only code that touches browser APIs. Everything here is a thin adapter that turns a
//! browser call into a typed value or a typed error; no rule lives here.

pub mod camera;
pub mod device_key;
pub mod file;
pub mod offline;
pub mod platform;
pub mod storage;
pub mod store;
