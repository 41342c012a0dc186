//! Leptos components. They call `domain` for every number and `browser` for every side
//! effect; one public component per file, named after it.

mod app;
mod bilingual;
mod meeting_overview;
mod role_home;
mod start_screen;
mod verify_page;

pub use app::{App, DeviceRole};
pub use bilingual::Bilingual;
pub use meeting_overview::MeetingOverview;
pub use role_home::RoleHome;
pub use start_screen::StartScreen;
pub use verify_page::VerifyPage;
